import ArgumentParser
import Foundation
import HydraguardGateway
import HydraguardLog
import HydraguardStore

extension Hydraguard {
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create, revoke, rotate and list the gateway's API keys.",
            discussion: """
                Keys live in the gateway's store; only an HMAC-SHA256 of each secret is kept, under the \
                config's store.key_hash_secret. A secret is printed once, when it is made. Every creation, \
                revocation and rotation is recorded with its time.

                Examples:
                  hydraguard keys create --config hydraguard.yaml --account acct_1 --tier card
                  hydraguard keys rotate --config hydraguard.yaml key_abc123
                  hydraguard keys revoke --config hydraguard.yaml key_abc123
                  hydraguard keys list --config hydraguard.yaml --account acct_1
                """,
            subcommands: [Create.self, Revoke.self, Rotate.self, List.self])
    }
}

struct StoreOptions: ParsableArguments {
    @Option(help: "The gateway's YAML config (its store path and key-hash secret are used).")
    var config: String

    func open() throws -> Store {
        do {
            return try openStore(try GatewayConfig.load(path: config), configPath: config)
        } catch let error as ConfigError {
            throw ValidationError(error.description)
        }
    }
}

func printJSON(_ object: [String: Any]) {
    if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
        print(String(decoding: data, as: UTF8.self))
    }
}

extension Hydraguard.Keys {
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a key for an account (creating or updating the account with --tier); prints JSON with the secret.")

        @OptionGroup var options: StoreOptions

        @Option(help: "The account the key bills to.")
        var account: String

        @Option(help: "Create or update the account with this tier: free, email, card, id, enterprise.")
        var tier: String?

        @Option(help: "Put the account in this organisation (created with the account's tier if new).")
        var org: String?

        @Option(help: "A label for the key.")
        var name: String?

        func validate() throws {
            if let tier, Tier(rawValue: tier) == nil {
                throw ValidationError("--tier: expected one of free, email, card, id, enterprise, found \(tier)")
            }
        }

        func run() async throws {
            let store = try options.open()
            if let tier = tier.flatMap(Tier.init(rawValue:)) {
                if let org, try store.org(id: org) == nil { try store.upsertOrg(OrgRow(id: org, tier: tier)) }
                var row = AccountRow(id: account, orgID: org, tier: tier)
                if let existing = try store.account(id: account) {
                    row.createdAt = existing.createdAt
                    if org == nil { row.orgID = existing.orgID }
                }
                try store.upsertAccount(row)
            }
            do {
                let created = try store.createKey(accountID: account, name: name, actor: "cli")
                printJSON(["key_id": created.key.id, "account_id": account, "secret": created.secret])
            } catch let error as StoreError {
                throw ValidationError("\(error.message) (pass --tier to create the account)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key: it stops working within a second.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "The key id (key_...).") var keyID: String

        func run() async throws {
            do {
                try options.open().revokeKey(id: keyID, actor: "cli")
                printJSON(["key_id": keyID, "revoked": true])
            } catch let error as StoreError {
                throw ValidationError(error.message)
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a key with a new one for the same account; prints JSON with the new secret.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "The key id (key_...).") var keyID: String

        func run() async throws {
            do {
                let created = try options.open().rotateKey(id: keyID, actor: "cli")
                printJSON(["key_id": created.key.id, "replaces": keyID, "account_id": created.key.accountID,
                           "secret": created.secret])
            } catch let error as StoreError {
                throw ValidationError(error.message)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets), one JSON object a line.")
        @OptionGroup var options: StoreOptions
        @Option(help: "Only this account's keys.") var account: String?

        func run() async throws {
            for key in try options.open().keys(accountID: account) {
                printJSON(["key_id": key.id, "account_id": key.accountID, "name": key.name ?? NSNull(),
                           "created_at": key.createdAt, "revoked_at": key.revokedAt ?? NSNull()])
            }
        }
    }
}
