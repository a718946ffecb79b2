package dev.kiln.runtime.training;

import dev.kiln.runtime.History;

/**
 * A value in the {@link History} that a callback watches, with its direction and the margin an
 * epoch must beat the best by to count as an improvement (Keras's {@code min_delta}).
 */
final class Monitor {
  final String name;
  final MonitorMode mode;
  final double minDelta;

  Monitor(String callback, String name, MonitorMode mode, double minDelta) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(callback + " needs the name of a value to monitor, such as \"val_loss\"");
    }
    if (mode == null) {
      throw new IllegalArgumentException(callback + " mode must not be null; use MonitorMode.AUTO");
    }
    if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
      throw new IllegalArgumentException(callback + " minDelta must be finite and >= 0, was " + minDelta);
    }
    this.name = name;
    this.mode = mode.resolve(name);
    this.minDelta = minDelta;
  }

  /** The value every real value beats: +infinity when lower is better, -infinity otherwise. */
  double worst() {
    return mode == MonitorMode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
  }

  /** True when {@code current} beats {@code best} by more than minDelta; never for NaN. */
  boolean improves(double current, double best) {
    return mode == MonitorMode.MIN ? current < best - minDelta : current > best + minDelta;
  }

  /** The epoch's value, or a clear error naming what the history does record. */
  double read(History history, String callback) {
    check(history.names(), callback);
    return history.last(name);
  }

  /** Fails, naming what is recorded, unless {@code names} holds the monitored name. */
  void check(java.util.Set<String> names, String callback) {
    if (!names.contains(name)) {
      String hint = name.startsWith("val_") && !names.contains("val_loss")
          ? "; validation values need FitOptions.withValidation"
          : "";
      throw new IllegalArgumentException(
          callback + " monitors '" + name + "', which this training does not record; available: "
              + names + hint);
    }
  }
}
