from kaisai.cli import main

main()
