"""Cards for what baoxiu sends on its own: a note to one member, a reminder about a ticket,
a report. Each is a plain `Card`, so every platform's renderer shows it as it shows a ticket."""

from dataclasses import replace

from cards.build import CardContext, escalation_buttons, ticket_card
from cards.model import Card, Chart, Field, Header, Image, Section, Tone
from cards.model import Note as CardNote
from cards.model import Series as ChartSeries
from tickets.audience import Audience, CardAddress
from tickets.messages import Escalation, Note, Reminder, Report, Visit
from tickets.model import Event, Ticket


def note_card(note: Note) -> Card:
    return Card(header=Header(note.title, "", Tone.BLUE), notes=(CardNote(note.text, Tone.BLUE),))


def reminder_card(
    ticket: Ticket,
    reminder: Reminder,
    ctx: CardContext,
    address: CardAddress,
    shown: Event | None = None,
) -> Card:
    """The ticket's card as the chat it goes to sees it (its buttons, its view of the
    resident's contact), headed in red by why it was sent."""
    return _headed(ticket, reminder.text, Tone.RED, ctx, address, shown)


def escalation_card(
    ticket: Ticket,
    escalation: Escalation,
    ctx: CardContext,
    address: CardAddress,
    shown: Event | None = None,
) -> Card:
    """An overdue ticket's card headed in red by what was missed. The desk and management
    get what they can do about it (改派, 联系师傅, 延期, 我来处理); the crew, in the team
    chat or their own, the job's own buttons: a nudge is answered by doing the job."""
    plain = replace(ctx, clock=None)  # the heading says how late: no second line for it
    card = reminder_card(ticket, Reminder(escalation.text), plain, address, shown)
    if address.audience not in (Audience.SUPERVISORS, Audience.MANAGEMENT):
        return card
    return replace(card, buttons=escalation_buttons(ticket, ctx))


def escalation_answer(
    ticket: Ticket, ctx: CardContext, audience: Audience, shown: Event | None = None
) -> Card:
    """The answer to a click on an escalation card: the ticket as it is now (how late, in
    red, if it still is), still with what the desk can do about it."""
    card = ticket_card(ticket, audience, ctx, None, shown)
    if audience not in (Audience.SUPERVISORS, Audience.MANAGEMENT):
        return card
    return replace(card, buttons=escalation_buttons(ticket, ctx))


def visit_card(
    ticket: Ticket, visit: Visit, ctx: CardContext, address: CardAddress, shown: Event | None = None
) -> Card:
    """A closed ticket's card on the agents' chat, headed by which call of its return visit
    this is, with the 回访 button whose form records how it went."""
    return _headed(ticket, visit.text, Tone.BLUE, ctx, address, shown)


def _headed(
    ticket: Ticket,
    text: str,
    tone: Tone,
    ctx: CardContext,
    address: CardAddress,
    shown: Event | None,
) -> Card:
    """The ticket's card for the chat it goes to, headed in `tone` by why it was sent."""
    card = ticket_card(ticket, address.audience, ctx, address.member_id, shown)
    return replace(
        card, header=replace(card.header, tone=tone), notes=(CardNote(text, tone), *card.notes)
    )


def about_ticket(
    ticket: Ticket,
    message: Reminder | Escalation | Visit,
    ctx: CardContext,
    address: CardAddress,
    shown: Event | None = None,
) -> Card:
    """The card for a message about a ticket, whichever kind it is."""
    match message:
        case Reminder():
            return reminder_card(ticket, message, ctx, address, shown)
        case Escalation():
            return escalation_card(ticket, message, ctx, address, shown)
        case Visit():
            return visit_card(ticket, message, ctx, address, shown)


def report_card(report: Report) -> Card:
    charts = tuple(
        Chart(
            title=plot.title,
            kind=plot.kind,
            categories=plot.categories,
            series=tuple(ChartSeries(s.name, s.values) for s in plot.series),
        )
        for plot in report.plots
    )
    picture = (
        Image(report.picture, "、".join(p.title for p in report.plots)) if report.picture else None
    )
    return Card(
        header=Header(report.title, report.period, Tone.BLUE),
        fields=tuple(Field(label, value) for label, value in report.figures),
        sections=tuple(Section(s.title, s.lines) for s in report.sections),
        charts=charts,
        picture=picture,
    )
