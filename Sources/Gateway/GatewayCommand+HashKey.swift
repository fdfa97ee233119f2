import ArgumentParser
import Crypto

extension GatewayCommand {
    /// `hash-key`: the SHA-256 digest a keys file holds for an API key (the key itself never goes there).
    struct HashKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hash-key",
            abstract: "Print the SHA-256 digest of an API key read from standard input, for the keys file."
        )

        func run() throws {
            guard let key = readLine(strippingNewline: true), !key.isEmpty else {
                throw ValidationError("Give the key on standard input.")
            }
            let hex = Array("0123456789abcdef")
            print(String(SHA256.hash(data: Array(key.utf8)).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] }))
        }
    }
}
