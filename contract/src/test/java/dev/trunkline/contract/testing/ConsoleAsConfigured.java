package dev.trunkline.contract.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * While a {@link LogCapture} has opened every logger to TRACE, keeps the other appenders of the root logger (the
 * console) to what the configuration lets through: without it a test's output would fill with the TRACE lines of
 * Netty, the Mongo driver and Vert.x, and the suite would slow down writing them.
 */
final class ConsoleAsConfigured extends Filter<ILoggingEvent> {
  private final Map<String, Level> configured;
  private final Level configuredRoot;
  private final Map<String, Level> effective = new ConcurrentHashMap<>();
  private final List<Appender<ILoggingEvent>> gated = new ArrayList<>();

  /**
   * @param configured the explicit level of each logger that had one
   * @param configuredRoot the root logger's level
   */
  ConsoleAsConfigured(Map<String, Level> configured, Level configuredRoot) {
    this.configured = configured;
    this.configuredRoot = configuredRoot;
    setName("console-as-configured");
    start();
  }

  @Override
  public FilterReply decide(ILoggingEvent event) {
    Level threshold = effective.computeIfAbsent(event.getLoggerName(), this::configuredLevel);
    return event.getLevel().isGreaterOrEqual(threshold) ? FilterReply.NEUTRAL : FilterReply.DENY;
  }

  /** The level the configuration gives a logger: its own, else its nearest ancestor's ('.' or '$'), else root's. */
  private Level configuredLevel(String name) {
    for (String n = name; !n.isEmpty(); n = n.substring(0, Math.max(0, Math.max(n.lastIndexOf('.'),
        n.lastIndexOf('$'))))) {
      Level level = configured.get(n);
      if (level != null) {
        return level;
      }
    }
    return configuredRoot;
  }

  void attach(Logger root) {
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      Appender<ILoggingEvent> appender = it.next();
      appender.addFilter(this);
      gated.add(appender);
    }
  }

  void detach() {
    for (Appender<ILoggingEvent> appender : gated) {
      List<Filter<ILoggingEvent>> others = new ArrayList<>(appender.getCopyOfAttachedFiltersList());
      others.remove(this);
      appender.clearAllFilters();
      others.forEach(appender::addFilter);
    }
    gated.clear();
  }
}
