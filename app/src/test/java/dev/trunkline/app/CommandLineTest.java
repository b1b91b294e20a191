package dev.trunkline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trunkline.store.AdoptOriginCommand.Source;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {

  @Test
  void defaultsToRun() {
    CommandLine cli = CommandLine.parse(List.of());
    assertThat(cli.command()).isEqualTo("run");
    assertThat(cli.cluster()).isFalse();
    assertThat(cli.confFile()).isNull();
  }

  @Test
  void readsCommandAndOptions() {
    CommandLine cli = CommandLine.parse(List.of("run", "--conf", "x.yaml", "--cluster", "--roles", "gateway,store"));
    assertThat(cli).isEqualTo(new CommandLine("run", "x.yaml", true, "gateway,store"));
    assertThat(CommandLine.parse(List.of("rotate-keys")).command()).isEqualTo("rotate-keys");
  }

  @Test
  void adoptOriginTakesItsOwnOptionsAndNoOtherCommandDoes() throws Exception {
    CommandLine cli = CommandLine.parse(List.of("adopt-origin", "--conf", "x.yaml", "--origin-uri", "mongodb://o",
        "--origin-db", "scalai", "--dry-run", "--progress-every", "10"));
    assertThat(cli.command()).isEqualTo("adopt-origin");
    assertThat(cli.confFile()).isEqualTo("x.yaml");
    assertThat(cli.commandOptions()).containsExactly("--origin-uri", "mongodb://o", "--origin-db", "scalai",
        "--dry-run", "--progress-every", "10");
    var options = AdoptOriginCommand.options(cli.commandOptions());
    assertThat(options.sources()).containsExactly(new Source(null, "mongodb://o", "scalai"));
    assertThat(options.dryRun()).isTrue();
    assertThat(options.overwrite()).isFalse();
    assertThat(options.progressEvery()).isEqualTo(10);
    assertThat(AdoptOriginCommand.options(List.of("--retell-export", "r.json")).progressEvery())
        .isEqualTo(AdoptOriginCommand.DEFAULT_PROGRESS_EVERY);
    assertThatThrownBy(() -> CommandLine.parse(List.of("run", "--dry-run"))).hasMessageContaining("unknown option");
    assertThatThrownBy(() -> AdoptOriginCommand.options(List.of("--dry-run"))).hasMessageContaining("needs");
    assertThatThrownBy(() -> AdoptOriginCommand.options(List.of("--origin-db", "x")))
        .hasMessage("--origin-db needs --origin-uri");
    assertThatThrownBy(() -> AdoptOriginCommand.options(List.of("--origin-db", "x", "--origin-uri", "u",
        "--progress-every", "0"))).hasMessageContaining("--progress-every");
  }

  @Test
  void storeServerTakesAPortADataDirectoryAndAHost() {
    CommandLine cli = CommandLine.parse(List.of("store-server", "--port", "0", "--data-dir", "/tmp/s"));
    assertThat(cli.command()).isEqualTo("store-server");
    var options = StoreServerCommand.options(cli.commandOptions());
    assertThat(options).isEqualTo(new StoreServerCommand.Options("127.0.0.1", 0, Path.of("/tmp/s")));
    assertThat(StoreServerCommand.options(List.of())).isEqualTo(
        new StoreServerCommand.Options("127.0.0.1", 27017, Path.of("./data")));
    assertThatThrownBy(() -> StoreServerCommand.options(List.of("--port", "70000")))
        .hasMessageContaining("--port");
    assertThatThrownBy(() -> CommandLine.parse(List.of("run", "--port", "1"))).hasMessageContaining("unknown option");
    assertThatThrownBy(() -> CommandLine.parse(List.of("store-server", "--dry-run")))
        .hasMessageContaining("unknown option");
  }

  @Test
  void theTenantsFileListsADatabasePerSubaccount() {
    Path file = Path.of("tenants.txt");
    String a = "64f1c0ffee00000000000001";
    String b = "64f1c0ffee00000000000002";
    assertThat(AdoptOriginCommand.tenants(List.of("# comment", "", a + " db_a", b + "  db_b  mongodb://other"),
        "mongodb://default", file)).containsExactly(new Source(a, "mongodb://default", "db_a"),
        new Source(b, "mongodb://other", "db_b"));
    assertThatThrownBy(() -> AdoptOriginCommand.tenants(List.of(a + " db_a"), null, file))
        .hasMessage("tenants.txt line 1: no MongoDB URI on the line and no --origin-uri");
    assertThatThrownBy(() -> AdoptOriginCommand.tenants(List.of("", "tenant-x db"), "u", file))
        .hasMessage("tenants.txt line 2: the subaccountId is not 24 hexadecimal characters");
    assertThatThrownBy(() -> AdoptOriginCommand.tenants(List.of(a), "u", file))
        .hasMessageContaining("expected <subaccountId> <database> [<mongodb-uri>]");
  }

  @Test
  void rejectsUnknownCommandsOptionsAndRoles() {
    assertThatThrownBy(() -> CommandLine.parse(List.of("launch"))).hasMessageContaining("unknown command");
    assertThatThrownBy(() -> CommandLine.parse(List.of("--verbose"))).hasMessageContaining("unknown option");
    assertThatThrownBy(() -> CommandLine.parse(List.of("--conf"))).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> Roles.parse("gateway,billing")).hasMessageContaining("billing");
    assertThat(Roles.parse(null)).containsExactlyInAnyOrder(Roles.values());
  }
}
