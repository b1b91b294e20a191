package dev.trunkline.contract.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event of the JVM while open, at every level (TRACE to ERROR) whatever the configuration
 * says, so that "never logged" means the same in every module: the secret is in no event's formatted message,
 * raw argument, MDC value, key/value pair, or exception (message, stack trace, causes and suppressed).
 *
 * <p>An appender on the root logger sees only what the loggers let through, so while any capture is open every
 * logger is opened to TRACE ({@link LevelsOpened}); the configured levels come back when the last one closes. The
 * other appenders (the console) keep printing only what the configuration lets through.
 *
 * <p>Use it with try-with-resources, or through {@link NoSecretsLogged} for a whole test class. Scan with
 * {@link #assertNoSecrets(Map)}, which goes through {@link SecretAssertions} and so never prints a secret.
 */
public final class LogCapture implements AutoCloseable {
  /**
   * The embedded database's and its driver's wire loggers: at DEBUG they print every command with its documents,
   * whatever they hold. Production's logback.xml keeps them at WARN or OFF, and docs/store.md says to.
   */
  public static final List<String> DATABASE_WIRE = List.of("org.mongodb.driver.protocol",
      "de.bwaldvogel.mongo.wire");

  private final Logger root;
  private final Recorder recorder = new Recorder();
  private boolean closed;

  private LogCapture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    recorder.setContext(context);
    recorder.setName("log-capture-" + System.identityHashCode(this));
    recorder.start();
    LevelsOpened.acquire(context);
    root.addAppender(recorder);
  }

  /** Starts capturing every event of every logger at every level; close it to stop and restore the levels. */
  public static LogCapture start() {
    return new LogCapture();
  }

  /** The events captured so far, in order (a copy). */
  public List<ILoggingEvent> events() {
    return recorder.snapshot(false);
  }

  /** The events captured so far of this logger or one below it (e.g. {@code "dev.trunkline.gateway.access"}). */
  public List<ILoggingEvent> events(String loggerName) {
    Predicate<ILoggingEvent> below = e -> e.getLoggerName().equals(loggerName)
        || e.getLoggerName().startsWith(loggerName + ".");
    return events().stream().filter(below).toList();
  }

  /** Forgets what was captured so far (e.g. what a fixture logged before the part under test). */
  public void clear() {
    recorder.snapshot(true);
  }

  /** Every captured event rendered as one text holding all it carries ({@link #render(ILoggingEvent)}). */
  public List<String> lines() {
    return events().stream().map(LogCapture::render).toList();
  }

  /**
   * Fails if any captured event carries any of the secrets, anywhere ({@link #render(ILoggingEvent)}); the
   * failure names the event by position and the secret by name, never by value.
   */
  public void assertNoSecrets(Map<String, String> secretsByName) {
    SecretAssertions.assertNoSecrets("a captured log event", lines(), secretsByName);
  }

  /**
   * {@link #lines()} but for what these loggers (and those below them) log under WARN, where their configuration
   * keeps them. Only for a test that put a secret in clear where such a logger prints it by design at DEBUG:
   * {@link #DATABASE_WIRE} echoes the documents a test planted in the database. Their WARN and ERROR events stay.
   */
  public List<String> lines(Collection<String> quietLoggers) {
    Predicate<ILoggingEvent> quiet = e -> !e.getLevel().isGreaterOrEqual(Level.WARN) && quietLoggers.stream()
        .anyMatch(name -> e.getLoggerName().equals(name) || e.getLoggerName().startsWith(name + "."));
    return events().stream().filter(quiet.negate()).map(LogCapture::render).toList();
  }

  /** {@link #assertNoSecrets(Map)} over {@link #lines(Collection)}. */
  public void assertNoSecrets(Map<String, String> secretsByName, Collection<String> quietLoggers) {
    SecretAssertions.assertNoSecrets("a captured log event (but for " + quietLoggers + " under WARN)",
        lines(quietLoggers), secretsByName);
  }

  /** Stops capturing; when no other capture is open, the loggers get their configured levels back. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    root.detachAppender(recorder);
    recorder.stop();
    LevelsOpened.release();
  }

  /**
   * One event as text: level, logger, thread, the formatted message and the raw pattern, each raw argument (an
   * argument with no placeholder is in no formatted message), the MDC, the key/value pairs, and the full
   * exception (stack trace with every cause and suppressed exception, as Logback prints it).
   */
  public static String render(ILoggingEvent event) {
    StringBuilder line = new StringBuilder().append(event.getLevel()).append(' ').append(event.getLoggerName())
        .append(" [").append(event.getThreadName()).append("] ").append(event.getFormattedMessage())
        .append("\n  pattern: ").append(event.getMessage());
    Object[] arguments = event.getArgumentArray();
    if (arguments != null) {
      for (int i = 0; i < arguments.length; i++) {
        line.append("\n  argument ").append(i).append(": ").append(argument(arguments[i]));
      }
    }
    event.getMDCPropertyMap().forEach((k, v) -> line.append("\n  mdc ").append(k).append('=').append(v));
    if (event.getKeyValuePairs() != null) {
      event.getKeyValuePairs().forEach(kv -> line.append("\n  kv ").append(kv.key).append('=')
          .append(argument(kv.value)));
    }
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      line.append('\n').append(ThrowableProxyUtil.asString(thrown));
    }
    return line.toString();
  }

  private static String argument(Object value) {
    if (value instanceof Throwable t) {
      StringWriter trace = new StringWriter();
      t.printStackTrace(new PrintWriter(trace));
      return trace.toString();
    }
    if (value instanceof Object[] array) {
      return Arrays.deepToString(array);
    }
    if (value != null && value.getClass().isArray()) {
      return Arrays.deepToString(new Object[] {value});
    }
    return String.valueOf(value);
  }

  /** The appender: a bounded list would lose the very event that leaks, so this one keeps all until closed. */
  private static final class Recorder extends AppenderBase<ILoggingEvent> {
    private final List<ILoggingEvent> events = new ArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
      // Arguments and MDC are read now, on the logging thread, not later when they may have changed.
      event.prepareForDeferredProcessing();
      synchronized (events) {
        events.add(event);
      }
    }

    List<ILoggingEvent> snapshot(boolean clear) {
      synchronized (events) {
        List<ILoggingEvent> copy = List.copyOf(events);
        if (clear) {
          events.clear();
        }
        return copy;
      }
    }
  }

  /** Loggers' levels while a capture is open: everything to TRACE, what the configuration said restored. */
  static final class LevelsOpened {
    private static int open;
    private static LoggerContext context;
    private static Map<String, Level> configured;
    private static Level configuredRoot;
    private static ConsoleAsConfigured gate;

    private LevelsOpened() {}

    static synchronized void acquire(LoggerContext loggers) {
      if (open++ > 0) {
        return;
      }
      context = loggers;
      configured = new java.util.HashMap<>();
      Logger root = loggers.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      configuredRoot = root.getLevel();
      for (Logger logger : loggers.getLoggerList()) {
        if (logger != root && logger.getLevel() != null) {
          configured.put(logger.getName(), logger.getLevel());
        }
      }
      gate = new ConsoleAsConfigured(Map.copyOf(configured), configuredRoot);
      gate.attach(root);
      configured.keySet().forEach(name -> loggers.getLogger(name).setLevel(null));
      root.setLevel(Level.TRACE);
    }

    static synchronized void release() {
      if (--open > 0) {
        return;
      }
      Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      // A logger that got a level while open (a test's own setLevel) gets none back: it had none configured.
      for (Logger logger : context.getLoggerList()) {
        if (logger != root) {
          logger.setLevel(configured.get(logger.getName()));
        }
      }
      root.setLevel(configuredRoot);
      gate.detach();
    }
  }
}
