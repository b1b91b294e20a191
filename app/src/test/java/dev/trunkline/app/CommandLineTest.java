package dev.trunkline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void rejectsUnknownCommandsOptionsAndRoles() {
    assertThatThrownBy(() -> CommandLine.parse(List.of("launch"))).hasMessageContaining("unknown command");
    assertThatThrownBy(() -> CommandLine.parse(List.of("--verbose"))).hasMessageContaining("unknown option");
    assertThatThrownBy(() -> CommandLine.parse(List.of("--conf"))).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> Roles.parse("gateway,billing")).hasMessageContaining("billing");
    assertThat(Roles.parse(null)).containsExactlyInAnyOrder(Roles.values());
  }
}
