package dev.trunkline.retell;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.trunkline.contract.testing.SecretAssertions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event of a test class (all loggers, all levels the configuration lets through) with a
 * Logback {@link ListAppender}, and after the class fails it if any API key or password of {@link Fixture}
 * appears in a message, an argument, an MDC value or a stack trace.
 */
final class LogCapture implements BeforeAllCallback, AfterAllCallback {
  private ListAppender<ILoggingEvent> appender;

  @Override
  public void beforeAll(ExtensionContext context) {
    appender = new ListAppender<>();
    appender.setName("secret-scan-" + context.getDisplayName());
    appender.start();
    root().addAppender(appender);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    root().detachAppender(appender);
    appender.stop();
    assertNoSecrets(lines());
  }

  /** Every captured event rendered as text: message, arguments, MDC, throwable chain. */
  List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : List.copyOf(appender.list)) {
      StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
      if (event.getArgumentArray() != null) {
        for (Object arg : event.getArgumentArray()) {
          line.append(" | ").append(arg);
        }
      }
      event.getMDCPropertyMap().forEach((k, v) -> line.append(" | ").append(k).append('=').append(v));
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
      }
      lines.add(line.toString());
    }
    return lines;
  }

  static void assertNoSecrets(List<String> lines) {
    SecretAssertions.assertNoSecrets("a captured log line", lines, Fixture.SECRETS);
  }

  private static Logger root() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    return context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
