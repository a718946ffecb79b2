package dev.kiln.runtime.io;

import java.io.IOException;

/**
 * The one exception Kiln's weight I/O throws for a file that is malformed or does not match what
 * the caller expects (a missing tensor, a wrong shape or dtype). Other {@link IOException}s mean
 * the file could not be read or written at all.
 *
 * <p>Messages name the file, the tensor and what was expected versus found, for example {@code
 * weights.safetensors: tensor "hidden.weight" has shape [2, 3], expected [2, 2]}.
 */
public final class KilnFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public KilnFormatException(String message) {
    super(message);
  }

  public KilnFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
