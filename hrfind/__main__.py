from hrfind.cli import main

main()
