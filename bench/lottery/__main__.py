from bench.lottery.run import main

main()
