package dev.trunkline.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.util.Set;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code log.format} ({@code text} or {@code json}) to Logback. Logback configures itself from
 * {@code logback.xml} before any configuration is loaded, reading only the environment variable
 * {@code TRUNKLINE_LOG_FORMAT}; so once the configuration is loaded (YAML, environment or {@code -D} alike), the
 * launcher re-runs the same {@code logback.xml} with the loaded value as a context property, which the file's
 * {@code ${TRUNKLINE_LOG_FORMAT}} reads before the environment. The appenders stay defined in one place, the XML.
 */
final class LogFormat {
  static final String PROPERTY = "TRUNKLINE_LOG_FORMAT";
  private static final Set<String> FORMATS = Set.of("text", "json");

  private LogFormat() {}

  /**
   * @throws IllegalArgumentException naming {@code log.format} when it is neither text nor json
   */
  static void apply(JsonObject config) {
    String format = NodeOptions.LOG_FORMAT.get(config);
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException("log.format must be text or json, got '" + format + "'");
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext context)) {
      return; // another SLF4J binding (e.g. a test's): nothing of ours to switch
    }
    if (format.equals(startedWith(context))) {
      return; // what Logback was configured with (in tests: their own logback-test.xml, left alone)
    }
    URL xml = LogFormat.class.getResource("/logback.xml");
    if (xml == null) {
      return;
    }
    context.reset();
    context.putProperty(PROPERTY, format);
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(xml);
    } catch (JoranException e) {
      throw new IllegalStateException("could not switch the log format to " + format + ": " + e.getMessage(), e);
    }
  }

  /** The format Logback is configured with: ours if we switched it, else the environment's, else text. */
  private static String startedWith(LoggerContext context) {
    String ours = context.getProperty(PROPERTY);
    if (ours != null) {
      return ours;
    }
    String env = System.getenv(PROPERTY);
    return env == null || env.isBlank() ? "text" : env;
  }
}
