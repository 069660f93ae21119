"""``python -m partnersim.cli``: the command line."""

from partnersim.cli import main

main()
