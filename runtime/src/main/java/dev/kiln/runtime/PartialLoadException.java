package dev.kiln.runtime;

import java.io.IOException;

/**
 * A strict {@link ModelCore#loadPartial} whose file did not fit: a wanted tensor missing or of
 * another shape, or a file tensor left unused. No parameter was changed; {@link #report()} lists
 * every tensor (its message prints it too).
 */
public final class PartialLoadException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient LoadReport report;

  public PartialLoadException(String message, LoadReport report) {
    super(message);
    this.report = report;
  }

  /** What would have been loaded, skipped, missing and of the wrong shape. */
  public LoadReport report() {
    return report;
  }
}
