"""The record page's registration track: the answer forms of each submission, with its defaults."""

from django import template

from prisoners.track_forms import AcknowledgeForm, ConfirmForm

register = template.Library()


@register.simple_tag
def submission_answer_forms(submission) -> dict:
    """``{% submission_answer_forms submission as answers %}``: ``answers.acknowledge`` and ``answers.confirm``."""
    return {"acknowledge": AcknowledgeForm(submission=submission), "confirm": ConfirmForm(submission=submission)}
