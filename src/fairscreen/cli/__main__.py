"""Allow `python -m fairscreen.cli`."""

from fairscreen.cli.main import main

main()
