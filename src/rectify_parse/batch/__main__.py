"""``python -m rectify_parse.batch ...``: ``rectify-parse batch`` on its own."""

from rectify_parse.batch.command import exit_process, main_batch

exit_process(main_batch())
