package dev.trunkline.contract.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The capture finds a secret wherever a log event can carry one, including where a weaker capture would not
 * look: at DEBUG under a logger configured at WARN, in the MDC, in an argument no placeholder prints, in the
 * message of an exception's cause or suppressed exception. Every failure is checked to name the secret, and to
 * hold no value (by position first, so a broken check cannot print the value in its own failure).
 */
class LogCaptureTest {
  private static final String SECRET = "sk_live_7Qm2ZrX9pL4vN8tB";
  private static final Map<String, String> SECRETS = SecretAssertions.secrets("apiKey", SECRET);
  /** Configured at WARN in this module's logback-test.xml. */
  private static final Logger QUIET = (Logger) LoggerFactory.getLogger("dev.trunkline.contract.testing.quiet");
  private static final Logger LOUD = (Logger) LoggerFactory.getLogger("dev.trunkline.contract.testing.loud");

  @Test
  void aSecretAtDebugUnderALoggerConfiguredAtWarnIsCaught() {
    assertThat(QUIET.isDebugEnabled()).as("the configuration keeps DEBUG out").isFalse();
    try (LogCapture logs = LogCapture.start()) {
      QUIET.debug("connecting with key {}", SECRET);
      QUIET.trace("and at TRACE too");
      assertLeakCaught(logs);
      assertThat(logs.events(QUIET.getName())).extracting(ILoggingEvent::getLevel)
          .containsExactly(Level.DEBUG, Level.TRACE);
    }
    assertThat(QUIET.getLevel()).as("the configured level is back").isEqualTo(Level.WARN);
    assertThat(QUIET.isDebugEnabled()).isFalse();
  }

  @Test
  void aSecretInAnMdcValueIsCaught() {
    try (LogCapture logs = LogCapture.start()) {
      MDC.put("authorization", "Bearer " + SECRET);
      try {
        LOUD.info("calling upstream");
      } finally {
        MDC.remove("authorization");
      }
      assertLeakCaught(logs);
    }
  }

  @Test
  void aSecretInAnArgumentThatNoPlaceholderPrintsIsCaught() {
    try (LogCapture logs = LogCapture.start()) {
      LOUD.info("calling upstream", SECRET);
      assertThat(logs.events().get(0).getFormattedMessage().indexOf(SECRET)).as("not in the formatted message")
          .isEqualTo(-1);
      assertLeakCaught(logs);
    }
  }

  @Test
  void aSecretInTheMessageOfACauseIsCaught() {
    try (LogCapture logs = LogCapture.start()) {
      LOUD.warn("upstream call failed", new IllegalStateException("call failed",
          new RuntimeException("401 for key " + SECRET)));
      assertLeakCaught(logs);
    }
  }

  @Test
  void aSecretInASuppressedExceptionIsCaught() {
    try (LogCapture logs = LogCapture.start()) {
      IllegalStateException failure = new IllegalStateException("close failed");
      failure.addSuppressed(new RuntimeException("while closing the client of " + SECRET));
      LOUD.error("shutdown", failure);
      assertLeakCaught(logs);
    }
  }

  @Test
  void aSecretInAKeyValuePairIsCaught() {
    try (LogCapture logs = LogCapture.start()) {
      LOUD.atInfo().setMessage("calling upstream").addKeyValue("key", SECRET).log();
      assertLeakCaught(logs);
    }
  }

  @Test
  void eventsWithoutASecretPassAndClearForgets() {
    try (LogCapture logs = LogCapture.start()) {
      LOUD.info("key {}", SECRET);
      logs.clear();
      QUIET.debug("nothing secret here {}", "really");
      assertThat(logs.lines()).hasSize(1);
      assertThatCode(() -> logs.assertNoSecrets(SECRETS)).doesNotThrowAnyException();
    }
  }

  @Test
  void theConsoleStillPrintsOnlyWhatTheConfigurationLetsThrough() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> console = new ListAppender<>();
    console.setContext(root.getLoggerContext());
    console.start();
    root.addAppender(console);
    try {
      try (LogCapture logs = LogCapture.start()) {
        QUIET.debug("debug, captured only");
        QUIET.warn("warn, printed too");
        LOUD.debug("debug under an INFO root, captured only");
        LOUD.info("info, printed too");
        assertThat(logs.events()).hasSize(4);
      }
      assertThat(console.list).extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly("warn, printed too", "info, printed too");
      assertThat(console.getCopyOfAttachedFiltersList()).as("the gate is gone with the capture").isEmpty();
    } finally {
      root.detachAppender(console);
    }
  }

  @Test
  void levelsComeBackOnlyWhenTheLastCaptureCloses() {
    try (LogCapture outer = LogCapture.start()) {
      try (LogCapture inner = LogCapture.start()) {
        QUIET.debug("seen by both");
        assertThat(inner.events()).hasSize(1);
      }
      QUIET.debug("still captured after the inner one closed");
      assertThat(outer.events()).hasSize(2);
    }
    assertThat(QUIET.getLevel()).isEqualTo(Level.WARN);
    assertThat(((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).getLevel())
        .isEqualTo(Level.INFO);
  }

  /** The scan fails, names the secret, and holds its value nowhere in the failure. */
  private static void assertLeakCaught(LogCapture logs) {
    AssertionError failure = catchThrowableOfType(AssertionError.class, () -> logs.assertNoSecrets(SECRETS));
    assertThat(failure).as("the scan caught the secret").isNotNull();
    assertThat(failure.getMessage().indexOf(SECRET)).as("position of the value in the failure").isEqualTo(-1);
    assertThat(failure.getMessage()).contains("a captured log event").contains("secret 'apiKey'");
  }
}
