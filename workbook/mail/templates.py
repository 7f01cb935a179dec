"""The editable wording of invitations and reminders: a folder of three Jinja templates.

``templates/mail/`` ships the workbook's own; a consultant copies it, edits
the copy and names it with ``--templates DIR``.  The folder is checked before
anything is sent (files present, templates valid, the link in every message),
so a typo stops the run with one line instead of 200 broken messages.
Templates run in Jinja's sandbox: a template can format what it is given,
never reach into Python.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from jinja2 import FileSystemLoader, StrictUndefined, Template, TemplateError, TemplateSyntaxError, select_autoescape
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import escape

from workbook.errors import InputError
from workbook.paths import templates_dir

__all__ = ["TEMPLATE_FILES", "MailTemplates", "MessageText", "TemplateContext", "default_folder"]

#: subject line, plain-text body, HTML body.
TEMPLATE_FILES: Final = ("subject.txt.j2", "body.txt.j2", "body.html.j2")
_SAMPLE_LINK = "http://127.0.0.1:8866/voila/render/values_assessment.ipynb?token=SAMPLE-token_for-checking-templates-0123456"
#: How a template writes the link in HTML, quoted in the message that says it is missing (text, not markup).
_HTML_LINK_EXAMPLE = '<a href="{{ link }}">{{ link }}</a>'


def default_folder() -> Path:
    """The workbook's own templates (``templates/mail``)."""
    return templates_dir() / "mail"


@dataclass(frozen=True, slots=True)
class TemplateContext:
    """Everything a template may use (see ``templates/mail/README.txt``)."""

    organisation: str
    name: str
    link: str
    deadline: str | None
    threshold: int
    reminder: bool
    sender: str


@dataclass(frozen=True, slots=True)
class MessageText:
    subject: str
    text: str
    html: str


def _is_folder(path: Path) -> bool:
    """``is_dir`` that says no, instead of raising, for a name too long or holding a NUL."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


class MailTemplates:
    """The three templates of one folder, loaded and checked once."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder = (folder or default_folder()).expanduser()
        if not _is_folder(folder):
            raise InputError(f"--templates {folder}: no such folder; copy {default_folder()} and edit the copy")
        missing = [name for name in TEMPLATE_FILES if not (folder / name).is_file()]
        if missing:
            raise InputError(f"--templates {folder} lacks {', '.join(missing)}; copy them from {default_folder()}")
        environment = SandboxedEnvironment(
            loader=FileSystemLoader(str(folder)), undefined=StrictUndefined, keep_trailing_newline=True,
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        )
        self._templates: dict[str, Template] = {}
        for name in TEMPLATE_FILES:
            try:
                self._templates[name] = environment.get_template(name)
            except TemplateSyntaxError as error:
                raise InputError(f"{folder / name}, line {error.lineno}: {error.message}") from None
            except (TemplateError, UnicodeDecodeError) as error:
                raise InputError(f"{folder / name} cannot be read as a UTF-8 Jinja template: {error}") from None
        self._check()

    def render(self, context: TemplateContext) -> MessageText:
        """The subject (one line) and both bodies for one person."""
        values = asdict(context)
        subject = " ".join(self._templates["subject.txt.j2"].render(values).split())
        text = self._templates["body.txt.j2"].render(values, subject=subject)
        html = self._templates["body.html.j2"].render(values, subject=subject)
        return MessageText(subject=subject, text=text, html=html)

    def _check(self) -> None:
        """Render every variant once with sample values: any error or a message without the link stops here."""
        for reminder in (False, True):
            for deadline in (None, "Wednesday 31 March 2027"):
                sample = TemplateContext(organisation="Sample Organisation", name="Sam Sample", link=_SAMPLE_LINK,
                                         deadline=deadline, threshold=5, reminder=reminder, sender="A Consultant")
                try:
                    rendered = self.render(sample)
                except TemplateError as error:
                    raise InputError(f"the mail templates in {self.folder} fail: {error.message}") from None
                kind = "reminder" if reminder else "invitation"
                if not rendered.subject:
                    raise InputError(f"{self.folder / 'subject.txt.j2'} gives an empty subject for an {kind}")
                if _SAMPLE_LINK not in rendered.text:
                    raise InputError(f"{self.folder / 'body.txt.j2'} leaves the link out of an {kind}; "
                                     "put {{ link }} in it")
                if str(escape(_SAMPLE_LINK)) not in rendered.html:
                    raise InputError(f"{self.folder / 'body.html.j2'} leaves the link out of an {kind}; "
                                     f"put {_HTML_LINK_EXAMPLE} in it")
