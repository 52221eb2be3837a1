{#-
  Fails for every row that states a figure as `reported` without a `source_url` (docs/SOURCES.md:
  `reported` means the page cited states the number, so the page must be named). With
  `source_kind_column`, also every row that is neither an assumption nor a bare claim: every
  observation from a filing, an exchange, a datasheet, the press or an aggregator carries its URL.
  With `file_column`, a row landed from a file dropped into the inbox (a user's own export, whose
  provenance is that file and its hash in the raw table) names its file instead.
-#}
{% test source_url_required(model, url_column='source_url', confidence_column='confidence', source_kind_column=none, file_column=none) %}
select *
from {{ model }}
where {{ url_column }} is null
  {%- if file_column %}
  and {{ file_column }} is null
  {%- endif %}
  and (
    {{ confidence_column }} = 'reported'
    {%- if source_kind_column %}
    or ({{ source_kind_column }} <> 'assumption' and {{ confidence_column }} <> 'claimed')
    {%- endif %}
  )
{% endtest %}
