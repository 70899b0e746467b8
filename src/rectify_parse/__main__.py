"""``python -m rectify_parse`` runs the command line."""

from rectify_parse.cli import main_entry

main_entry()
