import ArgumentParser
import Server
import VariantCommand

@main
struct TicTacToe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tictactoe",
        abstract: "Tic-tac-toe and its bigger cousins (m×n boards, k in a row), served over HTTP.",
        version: tictactoeVersion,
        subcommands: [Serve.self, CheckConfig.self, Solve.self, Healthcheck.self, Smoke.self, Variant.self, TaskDef.self, Stack.self],
        defaultSubcommand: Serve.self
    )
}
