package dev.kiln.runtime;

import java.io.PrintStream;
import java.util.Objects;

/**
 * Where {@link Model#fit} writes its progress ({@link FitOptions#withProgressPrinter}); by default
 * {@link #standardOutput()}. A bar is drawn with {@link #update}, which replaces the line being
 * drawn; {@link #line} finishes that line (or writes a new one). Implementations may send the text
 * anywhere: a logger, a GUI, a test's list.
 */
public interface ProgressPrinter {
  /** Replaces the line being drawn with {@code text} (no line break). */
  void update(String text);

  /** Writes {@code text} as a finished line, replacing the line being drawn if there is one. */
  void line(String text);

  /** Prints to {@code System.out} as it is at each call (so {@code System.setOut} is honoured). */
  static ProgressPrinter standardOutput() {
    return StreamPrinter.STANDARD_OUTPUT;
  }

  /**
   * Prints to {@code out}: {@link #update} writes a carriage return, the text and enough spaces to
   * cover a longer previous text, then flushes; {@link #line} does the same and ends the line.
   */
  static ProgressPrinter to(PrintStream out) {
    return new StreamPrinter(Objects.requireNonNull(out, "out"));
  }
}
