"""`ixbrlparse`'s inline-XBRL reader, with each `ix:continuation` found through an index by id.

ixbrlparse finds the continuation of a text fact (`continuedAt`) by searching the whole document
for its id, once per link: on NVIDIA's 10-K that is 80% of the parse. The index gives the element
that search would give, the first with the id in document order; an element since taken out of
the document (ixbrlparse removes `ix:exclude` content as it reads) falls back to the search.
"""

from functools import cached_property

from bs4 import BeautifulSoup, Tag
from ixbrlparse import IXBRL
from ixbrlparse.core import IXBRLParser


class _ParserWithContinuationIndex(IXBRLParser):
    def _get_tag_continuation(self, s: BeautifulSoup | Tag, start_str: str = "") -> str:
        if not isinstance(s, Tag):
            return start_str
        start_str += s.text
        if s.attrs.get("continuedAt"):
            continuation = self._element_with_id(s.attrs["continuedAt"])
            if isinstance(continuation, Tag) and continuation.name == "continuation":
                return self._get_tag_continuation(continuation, start_str)
        return start_str

    @cached_property
    def _by_id(self) -> dict[str, Tag]:
        by_id = {}
        for tag in self.soup.find_all(id=True):
            by_id.setdefault(tag["id"], tag)
        return by_id

    def _element_with_id(self, element_id: str) -> Tag | None:
        tag = self._by_id.get(element_id)
        # Tags compare equal by content: the document is the soup itself, this very object.
        if tag is not None and any(parent is self.soup for parent in tag.parents):
            return tag
        return self.soup.find(id=element_id)


class InlineXBRL(IXBRL):
    """`ixbrlparse.IXBRL`, reading inline XBRL (not plain XBRL) with the continuation index."""

    def _get_parser(self) -> None:
        super()._get_parser()
        if type(self.parser) is IXBRLParser:
            self.parser = _ParserWithContinuationIndex(self.soup, raise_on_error=self.raise_on_error)
