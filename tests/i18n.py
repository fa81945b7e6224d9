"""The catalog's words, for tests that check what a reader of another language gets."""

from django.utils import translation


def translated(language: str, text: str, **values) -> str:
    with translation.override(language):
        result = translation.gettext(text)
    return result % values if values else result
