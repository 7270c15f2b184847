from baoxiu.cli import main

main()
