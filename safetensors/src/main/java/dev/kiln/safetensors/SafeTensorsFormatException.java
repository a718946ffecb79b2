package dev.kiln.safetensors;

import java.io.IOException;

/**
 * A file that is not a valid safetensors file. The message is {@code "<file>: <problem>"}; {@link
 * #problem()} is the part after the file name, for callers that name the file their own way.
 */
public final class SafeTensorsFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final String problem;

  SafeTensorsFormatException(String file, String problem) {
    this(file, problem, null);
  }

  SafeTensorsFormatException(String file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
    this.problem = problem;
  }

  /** The file as the caller named it. */
  public String file() {
    return file;
  }

  /** What is wrong, without the file name. */
  public String problem() {
    return problem;
  }
}
