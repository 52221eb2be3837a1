"""The dashboard's charts: one function per question, each reading the contracted columns of one mart
(or staging or `meta` table) and returning a `Chart` with its Plotly figure, the tables it read, the
`source_name`s of the rows it draws and their `as_of` range. A chart for a new mart is one more
function declared with `serving.charts.base.dashboard_chart`, listed here."""

from collections.abc import Callable

from serving.charts.base import Chart, Serving
from serving.charts.capital import funding_chart, ipo_chart
from serving.charts.market import cost_chart, nvidia_revenue_chart, share_chart
from serving.charts.policy import claims_chart, compliance_chart, export_chart
from serving.charts.revenue import china_revenue_chart, financials_chart
from serving.charts.status import freshness_chart

ChartFunction = Callable[[Serving, bool], Chart]
CHARTS: tuple[ChartFunction, ...] = (
    share_chart,
    nvidia_revenue_chart,
    china_revenue_chart,
    cost_chart,
    export_chart,
    claims_chart,
    funding_chart,
    ipo_chart,
    financials_chart,
    compliance_chart,
    freshness_chart,
)
