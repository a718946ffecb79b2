package dev.kiln.runtime;

import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What fit prints, by {@link Verbosity}: a live bar (BAR), one line per epoch (LINES) or nothing.
 * {@link #step} runs after every training step and allocates nothing unless it redraws the bar,
 * which it does at most every {@value #UPDATE_NANOS} ns; only the loss and the accuracy go on the
 * console (diagnostics stay in the history and the report).
 */
final class Progress {
  static final long UPDATE_NANOS = 100_000_000L;
  static final int BAR_WIDTH = 20;

  private final Verbosity mode;
  private final ProgressPrinter printer;
  private final int epochs;
  private final int steps;
  private final LongSupplier clock;
  private int epoch;
  private long started;
  private long nextUpdate;

  /** {@code mode} already resolved (not AUTO); {@code steps} per full epoch. */
  Progress(Verbosity mode, ProgressPrinter printer, int epochs, int steps) {
    this(mode, printer, epochs, steps, System::nanoTime);
  }

  /** With {@code clock} in place of {@code System.nanoTime()} (tests). */
  Progress(Verbosity mode, ProgressPrinter printer, int epochs, int steps, LongSupplier clock) {
    this.clock = clock;
    this.mode = mode;
    this.printer = printer;
    this.epochs = epochs;
    this.steps = steps;
  }

  void epochBegin(int epoch) {
    this.epoch = epoch;
    started = clock.getAsLong();
    nextUpdate = started;
  }

  /**
   * After step {@code done} of the epoch, with the running mean loss and accuracy (NaN when the
   * loss implies none): redraws the bar when due.
   */
  void step(int done, double loss, double accuracy) {
    if (mode != Verbosity.BAR) {
      return;
    }
    long now = clock.getAsLong();
    if (now - nextUpdate < 0) {
      return;
    }
    nextUpdate = now + UPDATE_NANOS;
    double elapsed = (now - started) / 1e9;
    double eta = done < steps ? elapsed / done * (steps - done) : 0;
    StringBuilder b = bar(done);
    b.append(' ').append(duration(elapsed)).append(" - ETA ").append(duration(eta));
    appendValue(b, "loss", loss);
    if (!Double.isNaN(accuracy)) {
      appendValue(b, "accuracy", accuracy);
    }
    printer.update(b.toString());
  }

  /** The epoch's summary: the bar's final state or the epoch's line, when {@code print}. */
  void epochEnd(int done, double seconds, Map<String, Double> values, boolean print) {
    if (mode == Verbosity.SILENT || !print) {
      return;
    }
    StringBuilder b;
    if (mode == Verbosity.BAR) {
      b = bar(done).append(' ').append(duration(seconds)).append(' ').append(stepTime(seconds / done));
    } else {
      b = new StringBuilder().append("Epoch ").append(epoch).append('/').append(epochs).append(" - ").append(done)
          .append(done == 1 ? " step" : " steps");
    }
    for (Map.Entry<String, Double> e : values.entrySet()) {
      String name = e.getKey();
      if (!name.equals("seconds") && name.indexOf('/') < 0) {
        appendValue(b, name, e.getValue());
      }
    }
    if (mode == Verbosity.LINES) {
      b.append(" - ").append(stepTime(seconds / done));
    }
    printer.line(b.toString());
  }

  /** A line after training (early stopping, restored weights). */
  void message(String line) {
    if (mode != Verbosity.SILENT) {
      printer.line(line);
    }
  }

  private StringBuilder bar(int done) {
    StringBuilder b = new StringBuilder(120);
    b.append("Epoch ").append(epoch).append('/').append(epochs).append(' ');
    String total = Integer.toString(steps);
    String now = Integer.toString(done);
    b.append(" ".repeat(Math.max(0, total.length() - now.length()))).append(now).append('/').append(total).append(" [");
    int filled = (int) ((long) BAR_WIDTH * Math.min(done, steps) / steps);
    for (int i = 0; i < BAR_WIDTH; i++) {
      b.append(i < filled ? '=' : i == filled && done < steps ? '>' : '.');
    }
    return b.append(']');
  }

  private static void appendValue(StringBuilder b, String name, double value) {
    String format = name.equals("lr") ? "%.4g" : "%.4f";
    b.append(" - ").append(name).append(": ").append(String.format(Locale.ROOT, format, value));
  }

  /** {@code 3.2s}, {@code 2m05s}, {@code 1h02m}. */
  static String duration(double seconds) {
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1fs", seconds);
    }
    long s = Math.round(seconds);
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
  }

  static String stepTime(double seconds) {
    if (seconds >= 1e-3) {
      return String.format(Locale.ROOT, "%.2f ms/step", seconds * 1e3);
    }
    return String.format(Locale.ROOT, "%.1f us/step", seconds * 1e6);
  }
}
