package dev.kiln.runtime;

/** What {@link Model#fit} prints while it trains ({@link FitOptions#withVerbosity}). */
public enum Verbosity {
  /**
   * {@link #BAR} when standard output is a terminal, {@link #LINES} when it is not (a CI log, a
   * file, a pipe): Keras's {@code verbose="auto"}.
   */
  AUTO,
  /**
   * A live progress bar per epoch, redrawn in place at most ten times a second: steps done and
   * total, elapsed time, estimated time left, running loss and accuracy; the epoch's line with its
   * validation values stays when the epoch ends (Keras's {@code verbose=1}).
   */
  BAR,
  /** One line per epoch, when it ends (Keras's {@code verbose=2}). */
  LINES,
  /** Nothing (Keras's {@code verbose=0}). */
  SILENT;

  /**
   * BAR or LINES for AUTO: BAR only when a console is attached and, on JDK 22 and later (where
   * {@code System.console()} is not null for redirected output), {@code Console.isTerminal()} says
   * it is a terminal.
   */
  Verbosity resolve() {
    if (this != AUTO) {
      return this;
    }
    return isTerminal() ? BAR : LINES;
  }

  static boolean isTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true; // before JDK 22 a console exists only on a terminal
    }
  }
}
