package dev.kiln.runtime.training;

import dev.kiln.runtime.History;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Saves the parameters to a safetensors file during training ({@link TrainingContext#save}, atomic), as
 * Keras's {@code ModelCheckpoint} with {@code save_weights_only}: either whenever a monitored value
 * improves on its best so far ({@link #best}; the file then holds the best epoch's weights), or
 * after every epoch ({@link #everyEpoch}). A {@code {epoch}} in the file name is replaced by the
 * 1-based epoch number, so {@code "ckpt-{epoch}.safetensors"} keeps one file per save.
 *
 * <p>Keeps the best value while training and resets it at the start of every {@code fit}.
 */
public final class ModelCheckpoint implements Callback {
  private final Path file;
  private final Monitor monitor;

  private double best;
  private int bestEpoch;
  private int savedEpoch;
  private Path savedFile;

  private ModelCheckpoint(Path file, String monitor, MonitorMode mode) {
    if (file == null || file.getFileName() == null) {
      throw new IllegalArgumentException("ModelCheckpoint needs a file to write, got " + file);
    }
    this.file = file;
    this.monitor = monitor == null ? null : new Monitor("ModelCheckpoint", monitor, mode, 0);
    onTrainBegin(null);
  }

  /** Saves to {@code file} after every epoch whose {@code monitor} value beats the best so far. */
  public static ModelCheckpoint best(Path file, String monitor) {
    if (monitor == null) {
      throw new IllegalArgumentException("ModelCheckpoint.best needs a value to monitor, such as \"val_loss\"");
    }
    return new ModelCheckpoint(file, monitor, MonitorMode.AUTO);
  }

  /** Saves to {@code file} after every epoch. */
  public static ModelCheckpoint everyEpoch(Path file) {
    return new ModelCheckpoint(file, null, MonitorMode.AUTO);
  }

  /** Whether the monitored value improves by falling or rising (default AUTO). */
  public ModelCheckpoint withMode(MonitorMode mode) {
    if (monitor == null) {
      throw new IllegalStateException("a checkpoint saved every epoch monitors nothing; a mode means nothing to it");
    }
    return new ModelCheckpoint(file, monitor.name, mode);
  }

  /** The file as given, possibly with {@code {epoch}} in its name. */
  public Path file() {
    return file;
  }

  /** The monitored name, or null when saving every epoch. */
  public String monitor() {
    return monitor == null ? null : monitor.name;
  }

  /** The 1-based epoch with the best monitored value in the last run; 0 if none or saving every epoch. */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** The best monitored value in the last run. */
  public double bestValue() {
    return best;
  }

  /** The epoch of the last save in the last run; 0 if nothing was saved. */
  public int savedEpoch() {
    return savedEpoch;
  }

  /** The file of the last save in the last run; null if nothing was saved. */
  public Path savedFile() {
    return savedFile;
  }

  @Override
  public void onTrainBegin(TrainingContext model) {
    best = monitor == null ? Double.NaN : monitor.worst();
    bestEpoch = 0;
    savedEpoch = 0;
    savedFile = null;
  }

  @Override
  public void checkRecordedNames(java.util.Set<String> names) {
    if (monitor != null) {
      monitor.check(names, "ModelCheckpoint");
    }
  }

  @Override
  public void onEpochEnd(int epoch, History history, TrainingContext model) {
    if (monitor != null) {
      double current = monitor.read(history, "ModelCheckpoint");
      if (!monitor.improves(current, best)) {
        return;
      }
      best = current;
      bestEpoch = epoch;
    }
    Path target = fileFor(epoch);
    try {
      model.save(target);
    } catch (IOException e) {
      throw new UncheckedIOException("ModelCheckpoint could not write " + target + " after epoch " + epoch, e);
    }
    savedEpoch = epoch;
    savedFile = target;
  }

  /** The file for {@code epoch}: {@code {epoch}} in the file name replaced by the number. */
  public Path fileFor(int epoch) {
    String name = file.getFileName().toString();
    return name.contains("{epoch}") ? file.resolveSibling(name.replace("{epoch}", Integer.toString(epoch))) : file;
  }

  @Override
  public String toString() {
    return "ModelCheckpoint(" + file + (monitor == null ? ", every epoch" : ", best " + monitor.name + " " + monitor.mode) + ")";
  }
}
