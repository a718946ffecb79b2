package dev.kiln.runtime;

import java.io.PrintStream;

/** {@link ProgressPrinter} on a stream; with a null stream, {@code System.out} at each call. */
final class StreamPrinter implements ProgressPrinter {
  static final StreamPrinter STANDARD_OUTPUT = new StreamPrinter(null);

  private final PrintStream stream;
  /** Length of the line being drawn, 0 when none. */
  private int drawn;

  StreamPrinter(PrintStream stream) {
    this.stream = stream;
  }

  private PrintStream out() {
    return stream != null ? stream : System.out;
  }

  @Override
  public synchronized void update(String text) {
    PrintStream out = out();
    out.print('\r' + text + " ".repeat(Math.max(0, drawn - text.length())));
    out.flush();
    drawn = text.length();
  }

  @Override
  public synchronized void line(String text) {
    PrintStream out = out();
    if (drawn > 0) {
      out.print('\r' + text + " ".repeat(Math.max(0, drawn - text.length())) + System.lineSeparator());
      drawn = 0;
    } else {
      out.println(text);
    }
    out.flush();
  }

  @Override
  public String toString() {
    return stream == null ? "ProgressPrinter(System.out)" : "ProgressPrinter(" + stream + ")";
  }
}
