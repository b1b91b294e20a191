package dev.trunkline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** log.format works from the YAML file and from -D, not only from the environment variable Logback reads. */
class LogFormatTest {
  @TempDir
  Path dir;

  @AfterEach
  void restoreTestLogging() throws Exception {
    System.clearProperty("trunkline.log.format");
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LogFormatTest.class.getResource("/logback-test.xml"));
  }

  @Test
  void jsonFromTheConfigurationFileSwitchesTheRootAppenderToJson() throws Exception {
    Path yaml = dir.resolve("json.yaml");
    Files.writeString(yaml, "log:\n  format: json\n");
    Main.loadConfig(CommandLine.parse(List.of("run", "--conf", yaml.toString())));
    assertThat(rootEncoders()).as("root appenders' encoders").containsExactly(LogstashEncoder.class.getSimpleName());
  }

  @Test
  void jsonFromASystemPropertySwitchesTheRootAppenderToJson() throws Exception {
    System.setProperty("trunkline.log.format", "json");
    Main.loadConfig(CommandLine.parse(List.of("run")));
    assertThat(rootEncoders()).containsExactly(LogstashEncoder.class.getSimpleName());
  }

  @Test
  void anUnknownFormatStopsTheStartNamingTheKey() throws Exception {
    System.setProperty("trunkline.log.format", "xml");
    assertThatThrownBy(() -> Main.loadConfig(CommandLine.parse(List.of("run"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("log.format must be text or json, got 'xml'");
  }

  private static List<String> rootEncoders() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    List<String> encoders = new ArrayList<>();
    context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(a ->
        encoders.add(a instanceof ConsoleAppender<?> c ? c.getEncoder().getClass().getSimpleName() : a.getName()));
    return encoders;
  }
}
