"""The markup a rendered card holds, apart from its text: what injection tests compare."""

from html.parser import HTMLParser


class Structure(HTMLParser):
    """Tags and attribute names in document order: what markup the output holds."""

    def __init__(self) -> None:
        super().__init__()
        self.shape: list[tuple[str, tuple[str, ...]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.shape.append((tag, tuple(name for name, _ in attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)
