"""One line for a mistake on the command line, with the nearest valid choice.

Typer 0.29 raises its own copy of click's usage errors (``typer._click``); click would print
the usage, a hint and a message over several lines, in English. retour prints one line and
exits with status 2, for example::

    fout: onbekend commando 'figuers' voor `retour`; bedoelde u figures?
    error: `retour case` has no format 'csv'; choose table or json.

Language rule, for usage errors and retour's own errors alike: the language of ``--lang``
when the command line has one (``nl`` or ``en``, anywhere on the line), otherwise Dutch,
retour's default language (``retour --lang en`` asks for English before any command). The
nearest choice (a command, an option name or an option's value) is found with :mod:`difflib`;
when none is near, the valid choices are listed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Final

from typer._click import exceptions as click_errors

from retour.domain.errors import CountryName, Field, RetourError, Text
from retour.domain.language import Language
from retour.reports.messages import N_, _

if TYPE_CHECKING:
    from typer._click.core import Context, Parameter

NL: Final[Language] = "nl"
EN: Final[Language] = "en"
#: How alike a typo and a valid choice must be to be suggested (difflib's ratio).
CUTOFF: Final = 0.5
#: Usage errors are raised by this class and its subclasses (typer's copy of click's).
UsageErrors: Final = click_errors.UsageError


PREFIX: Final = N_("error")
DID_YOU_MEAN: Final = N_("did you mean {match}?")
CHOOSE: Final = N_("choose one of {choices}.")
OR: Final = N_(" or ")
NO_COMMAND: Final = N_("unknown command {name!r} for `{command}`")
MISSING_COMMAND: Final = N_("`{command}` needs a command")
NO_OPTION: Final = N_("`{command}` has no option {name}")
MISSING: Final = N_("`{command}` needs {name}")
NEEDS_VALUE: Final = N_("{name} needs a value")
TAKES_NO_VALUE: Final = N_("{name} takes no value")
BAD_CHOICE: Final = N_("`{command}` has no {name} {value!r}")
NOT_NUMBER: Final = N_("{what} is not a number")
NOT_WHOLE: Final = N_("{what} is not a whole number")
OUT_OF_RANGE: Final = N_("{what} is not between {low} and {high}")
AT_LEAST: Final = N_("{what} is less than {low}")
EXTRA: Final = N_("`{command}` takes no {extra}; see `{command} --help`.")
BAD_VALUE: Final = N_("{name}: {message}")


def language_of(argv: Sequence[str]) -> Language:
    """The language an error on the command line is written in: ``--lang``'s value if
    valid, else Dutch, retour's default language (as every command's ``--lang``)."""
    return language_given(argv) or NL


def language_given(argv: Sequence[str]) -> Language | None:
    """The language ``--lang`` names on the command line, if it names a valid one; the
    last one given (a command's own ``--lang`` after ``retour --lang``)."""
    given = None
    for i, arg in enumerate(argv):
        value = None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value is not None and value.strip().lower() in (NL, EN):
            given = NL if value.strip().lower() == NL else EN
    return given


def retour_error(error: RetourError, argv: Sequence[str]) -> tuple[str, str]:
    """The prefix and the line of an error of retour's own (:mod:`retour.domain.errors`),
    in the language a usage error would be (:func:`language_of`); its fields named as
    options (``--years``)."""
    lang = language_of(argv)
    return _t(PREFIX, lang), _said(error, lang)


def _said(error: RetourError, lang: Language) -> str:
    return error.said(lambda text, **values: _(text, lang, **values), _shown(lang), cli=True)


def _shown(lang: Language) -> Callable[[object], object]:
    def shown(value: object) -> object:
        if isinstance(value, Field):
            return value.option
        if isinstance(value, Text):
            return _(value, lang)
        if isinstance(value, RetourError):
            return error_text(value, lang)
        if isinstance(value, CountryName):
            from retour.reports.labels import country_name

            return country_name(value.code, lang)
        return value.value if isinstance(value, Enum) else value

    return shown


def error_text(error: RetourError, lang: Language) -> str:
    """An error's message alone (no hint) in ``lang``, as a value of another message."""
    values = {name: _shown(lang)(value) for name, value in error.fields().items()}
    return _(error.message, lang, **values)


def _t(text: str, lang: str, /, **values: object) -> str:
    return _(text, EN if lang == EN else NL, **values)


def one_line(error: click_errors.UsageError, argv: Sequence[str], lang: str) -> str:
    """The whole message: ``fout: what; the nearest valid choice``."""
    return f"{_t(PREFIX, lang)}: {_message(error, argv, lang)}"


def _message(error: click_errors.UsageError, argv: Sequence[str], lang: str) -> str:
    ctx = error.ctx
    command = ctx.command_path if ctx is not None else "retour"
    if isinstance(error, click_errors.NoSuchOption) and ctx is not None:
        return _no_option(error.option_name, ctx, command, lang)
    if isinstance(error, click_errors.MissingParameter) and error.param is not None:
        return _missing(error.param, command, lang)
    if isinstance(error, click_errors.BadParameter) and error.param is not None:
        return _bad_value(error, error.param, argv, command, lang)
    if isinstance(error, click_errors.BadOptionUsage):
        return _needs_value(error, ctx, lang)
    text = error.message
    if text.startswith("No such command") and ctx is not None:
        name = _quoted(text) or ""
        what = _t(NO_COMMAND, lang, name=name, command=command)
        return _nearest(what, name, _commands(ctx), lang)
    if text.startswith("Missing command") and ctx is not None:
        return _nearest(_t(MISSING_COMMAND, lang, command=command), "", _commands(ctx), lang)
    if text.startswith("Got unexpected extra argument"):
        found = re.search(r"\(([^()]*)\)\s*$", text)
        return _t(EXTRA, lang, command=command, extra=repr(found.group(1) if found else text))
    return text


def _nearest(what: str, typed: str, choices: Sequence[str], lang: str) -> str:
    """``what; did you mean X?`` when a choice is near what was typed, else ``what; choose
    one of A, B or C.``"""
    matches = difflib.get_close_matches(typed, choices, n=1, cutoff=CUTOFF) if typed else []
    if matches:
        return f"{what}; {_t(DID_YOU_MEAN, lang, match=matches[0])}"
    if not choices:
        return f"{what}."
    return f"{what}; {_t(CHOOSE, lang, choices=_listed(choices, lang))}"


def _listed(choices: Sequence[str], lang: str) -> str:
    if len(choices) == 1:
        return choices[0]
    return ", ".join(choices[:-1]) + _t(OR, lang) + choices[-1]


def _commands(ctx: Context) -> list[str]:
    group: Any = ctx.command
    listed = getattr(group, "list_commands", None)
    return list(listed(ctx)) if listed is not None else []


def _options(ctx: Context) -> list[str]:
    names: list[str] = []
    for param in ctx.command.get_params(ctx):
        if param.param_type_name == "option":
            names += [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
    names = [n for n in names if n != "--help"]  # never the suggestion for a typo
    return names


def _no_option(name: str, ctx: Context, command: str, lang: str) -> str:
    typed = name.split("=", 1)[0]
    return _nearest(_t(NO_OPTION, lang, command=command, name=typed), typed, _options(ctx), lang)


def _name(param: Parameter) -> str:
    longest = [o for o in param.opts if o.startswith("--")] or list(param.opts)
    if param.param_type_name == "option" and longest:
        return longest[0]
    return str(getattr(param, "display_name_raw", None) or param.name or "").upper()


def _help(param: Parameter) -> str:
    text = str(getattr(param, "help", None) or "").strip()
    return f" ({text.rstrip('.')})" if text else ""


def _missing(param: Parameter, command: str, lang: str) -> str:
    what = _t(MISSING, lang, command=command, name=_name(param)) + _help(param)
    choices = _choices(param)
    return _nearest(what, "", choices, lang) if choices else f"{what}."


def _choices(param: Parameter) -> list[str]:
    from typer._param_types import choice_as_str

    descriptor = getattr(param, "type_descriptor", None)
    found = descriptor.choices if descriptor is not None else None
    return [choice_as_str(c) for c in found] if found else []


def _typed_value(param: Parameter, argv: Sequence[str], message: str) -> str:
    """The value the user gave ``param`` on the command line (the last one given)."""
    value = None
    for i, arg in enumerate(argv):
        for opt in param.opts:
            if arg == opt and i + 1 < len(argv):
                value = argv[i + 1]
            elif arg.startswith(opt + "="):
                value = arg.split("=", 1)[1]
    return value if value is not None else (_quoted(message) or "")


def _bad_value(
    error: click_errors.BadParameter,
    param: Parameter,
    argv: Sequence[str],
    command: str,
    lang: str,
) -> str:
    name = _name(param)
    value = _typed_value(param, argv, error.message)
    choices = _choices(param)
    if choices:
        return _nearest(_t(BAD_CHOICE, lang, command=command, name=name, value=value), value,
                        choices, lang)  # fmt: skip
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    info = getattr(descriptor, "parameter_info", None)
    what = f"{name} {value!r}" if value else name  # an argument's value is not always known
    if annotation in (int, float) and not _parses(value, annotation):
        pair = NOT_WHOLE if annotation is int else NOT_NUMBER
        return _t(pair, lang, what=what) + "."
    if info is not None and (info.min is not None or info.max is not None):
        if info.max is None:
            return _t(AT_LEAST, lang, what=what, low=info.min) + "."
        return _t(OUT_OF_RANGE, lang, what=what, low=info.min, high=info.max) + "."
    return _t(BAD_VALUE, lang, name=name, message=error.message)


def _parses(value: str, kind: type) -> bool:
    try:
        kind(value)
    except ValueError:
        return False
    return True


def _needs_value(error: click_errors.BadOptionUsage, ctx: Context | None, lang: str) -> str:
    option = error.option_name
    if "does not take" in error.message:
        return _t(TAKES_NO_VALUE, lang, name=option) + "."
    help_text = ""
    if ctx is not None:
        for param in ctx.command.get_params(ctx):
            if option in param.opts:
                help_text = _help(param)
    return _t(NEEDS_VALUE, lang, name=option) + help_text + "."


def _quoted(text: str) -> str | None:
    found = re.search(r"'([^']*)'", text)
    return found.group(1) if found else None
