from aigov_client.cli import main

main()
