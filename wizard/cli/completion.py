"""`adue-wizard completion bash|zsh|fish`: the shell's completion script, generated from the
parser itself (shtab): the commands, their options, the MDM, platform and other names an
option takes, files and folders where one is expected, and the saved setups' names where a
setup is named. Those names change, so the script asks for them as the admin types:
`adue-wizard setup names`, which reads the state folder's file names and nothing else.

shtab is imported here only: the other commands never load it, and the script it writes
calls nothing of ours but that listing.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from wizard.cli.parsing import EXIT_OK, Parser, examples

SHELLS = ("bash", "zsh", "fish")

# Asks `setup names` for the saved setups, on the state folder of a `--state-dir` typed
# before it (so the names are the ones the command will find). `setup names` prints only
# names made of letters, digits, '.', '-' and '_': nothing a shell would expand.
_BASH_NAMES = r"""
# The saved setups' names (adue-wizard setup names), on the --state-dir typed, if any.
_adue_wizard_setup_names() {
  local i state=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ "${COMP_WORDS[i]}" == --state-dir ]]; then
      # Readline splits --state-dir=DIR at the `=` (COMP_WORDBREAKS): --state-dir, =, DIR.
      if [[ "${COMP_WORDS[i+1]}" == = ]]; then
        state=(--state-dir "${COMP_WORDS[i+2]}")
      else
        state=(--state-dir "${COMP_WORDS[i+1]}")
      fi
    elif [[ "${COMP_WORDS[i]}" == --state-dir=* ]]; then
      state=("${COMP_WORDS[i]}")
    fi
  done
  compgen -W "$("${COMP_WORDS[0]}" "${state[@]}" setup names 2>/dev/null)" -- "$1"
}
"""
_ZSH_NAMES = r"""
# The saved setups' names (adue-wizard setup names), on the --state-dir typed, if any.
_adue_wizard_setup_names() {
  local -a names state
  local i
  for ((i = 1; i < CURRENT; i++)); do
    [[ ${words[i]} == --state-dir ]] && state=(--state-dir "${words[i+1]}")
    [[ ${words[i]} == --state-dir=* ]] && state=("${words[i]}")
  done
  names=(${(f)"$(adue-wizard "${state[@]}" setup names 2>/dev/null)"})
  compadd -a names
}
"""
_FISH_NAMES = r"""
# The saved setups' names (adue-wizard setup names), on the --state-dir typed, if any.
function _adue_wizard_setup_names
    set -l words (commandline -opc)
    set -l state
    for i in (seq 2 (count $words))
        if test "$words[$i]" = --state-dir; and test $i -lt (count $words)
            set state --state-dir $words[(math $i + 1)]
        else if string match -q -- '--state-dir=*' $words[$i]
            set state $words[$i]
        end
    end
    adue-wizard $state setup names 2>/dev/null
end
"""
SETUP_NAMES: dict[str, Any] = {
    "bash": "_adue_wizard_setup_names",
    "zsh": "_adue_wizard_setup_names",
    "fish": "(_adue_wizard_setup_names)",
    "preamble": {"bash": _BASH_NAMES, "zsh": _ZSH_NAMES, "fish": _FISH_NAMES},
}
# The positional arguments that name a saved setup, by command (`--setup` does everywhere).
SETUP_ARGUMENTS = {
    (("history",), "name"),
    (("delete",), "name"),
    (("rename",), "old"),
    (("setup", "edit"), "name"),
    (("setup", "restore"), "name"),
    (("notify", "add"), "name"),
    (("notify", "list"), "name"),
    (("notify", "remove"), "name"),
    (("notify", "test"), "name"),
}
FILE_OPTIONS = (
    "json_file",
    "ca_bundle",
    "report",
    "prometheus",
    "junit",
    "file",
    "api_key_file",
)
FOLDER_OPTIONS = ("state_dir", "out")
# What --every is usually given; any interval `schedule` accepts may be typed.
INTERVALS = ("5m", "15m", "30m", "1h", "6h", "12h", "1d", "1w")


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    completion = commands.add_parser(
        "completion",
        help="print the shell completion script (bash, zsh or fish)",
        description="Print a completion script for bash, zsh or fish: commands, options, MDM "
        "and platform names, and the saved setups' names (asked of adue-wizard as you "
        "type). bash: add `source <(adue-wizard completion bash)` to ~/.bashrc; zsh: save "
        "it as _adue-wizard in a folder of your $fpath; fish: save it as "
        "~/.config/fish/completions/adue-wizard.fish.",
        **examples(
            "adue-wizard completion bash",
            "adue-wizard completion fish",
        ),
    )
    completion.add_argument("shell", choices=SHELLS, help="the shell to complete in")


def run(args: argparse.Namespace) -> int:
    import shtab

    # The whole command line is what is completed; main imports this module only through
    # COMMANDS, so importing main here, when the command runs, makes no cycle.
    from wizard.cli.main import build_parser

    parser = build_parser()
    mark_completions(parser)
    print(shtab.complete(parser, shell=args.shell), end="")
    return EXIT_OK


def mark_completions(parser: argparse.ArgumentParser) -> None:
    """Tell shtab what each argument takes, where the parser does not say it with choices
    (this parser completes only: it never parses, so choices may be set freely)."""
    import shtab

    from wizard.core.artifacts.platforms import PLATFORMS
    from wizard.core.providers import NAMES

    listed: dict[str, tuple[str, ...]] = {
        "mdm": NAMES,
        "platform": tuple(PLATFORMS),
        "cloud": ("public", "usgov", "china"),
        "enrollment": ("user", "device"),
        "every": INTERVALS,
    }
    for path, action in _actions(parser):
        dest = action.dest
        if (path, dest) in SETUP_ARGUMENTS or (action.option_strings and dest == "setup"):
            action.complete = SETUP_NAMES  # type: ignore[attr-defined]
        elif dest in listed and action.option_strings:
            action.choices = listed[dest]
        elif dest in FILE_OPTIONS:
            action.complete = shtab.FILE  # type: ignore[attr-defined]
        elif dest in FOLDER_OPTIONS:
            action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]


def _actions(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.Action]]:
    """Every argument of the parser and of its commands, with the command path to it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield from _actions(command, (*path, name))
        else:
            yield path, action
