"""The sandbox renderer: a card as an HTML fragment.

Jinja2's autoescaping is the whole injection defence here: every value of the card model is
plain text and reaches the page as text, never as markup.
"""

from collections.abc import Callable

from jinja2 import Environment, PackageLoader, select_autoescape

from cards.model import Card

_env = Environment(
    loader=PackageLoader("cards", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_card(card: Card, photo_url: Callable[[str], str]) -> str:
    """`photo_url` gives the address the page loads a card's photo from."""
    return _env.get_template("card.html").render(card=card, photo_url=photo_url)
