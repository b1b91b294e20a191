package dev.trunkline.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures every log line of the test JVM (root logger, all levels that pass the configuration) so that
 * tests can scan them for secrets. Installed once per JVM; the scanner drains it.
 */
final class LogCapture {
  private static ListAppender<ILoggingEvent> appender;

  private LogCapture() {}

  static synchronized void install() {
    if (appender != null) {
      return;
    }
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    appender = new ListAppender<>();
    appender.setContext(root.getLoggerContext());
    appender.setName("secret-scan");
    appender.start();
    root.addAppender(appender);
  }

  /** Every line captured so far (message, arguments formatted in, and any stack trace), then forgets them. */
  static synchronized List<String> drain() {
    install();
    List<String> lines = new ArrayList<>();
    synchronized (appender.list) {
      for (ILoggingEvent e : appender.list) {
        String line = e.getLoggerName() + " " + e.getFormattedMessage();
        if (e.getThrowableProxy() != null) {
          line += "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy());
        }
        lines.add(line);
      }
      appender.list.clear();
    }
    return lines;
  }
}
