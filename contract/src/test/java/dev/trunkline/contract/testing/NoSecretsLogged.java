package dev.trunkline.contract.testing;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link LogCapture} over a whole test class that fails the class if any event carried one of the given
 * secrets: {@code @RegisterExtension static final NoSecretsLogged LOGS = new NoSecretsLogged(SECRETS);}. Tests
 * read what was captured so far through {@link #capture()}.
 */
public final class NoSecretsLogged implements BeforeAllCallback, AfterAllCallback {
  private final Map<String, String> secrets;
  private LogCapture capture;

  /** @param secrets the secrets no event may carry, by name (see {@link SecretAssertions#secrets}) */
  public NoSecretsLogged(Map<String, String> secrets) {
    this.secrets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(secrets));
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    capture = LogCapture.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try (LogCapture done = capture) {
      done.assertNoSecrets(secrets);
    }
  }

  /** The capture of the running class. */
  public LogCapture capture() {
    if (capture == null) {
      throw new IllegalStateException("NoSecretsLogged must be registered as a static @RegisterExtension field");
    }
    return capture;
  }

  /** Shorthand for {@code capture().lines()}. */
  public List<String> lines() {
    return capture().lines();
  }
}
