package dev.kiln.runtime;

import dev.kiln.runtime.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Per-epoch values of the loss and metrics from one {@link Model#fit} call, under Keras's names:
 * {@code loss}, {@code accuracy}, {@code val_loss}, {@code val_accuracy}, {@code lr} (with a
 * learning-rate schedule: the rate of the epoch's last step), plus {@code seconds} (wall time of
 * the epoch's training steps). Also how training ended: {@link #stoppedEpoch()} when a callback
 * stopped it early, {@link #bestEpoch()} when an {@link dev.kiln.runtime.training.EarlyStopping}
 * watched it. Epochs are 1-based; the value arrays are indexed from 0 ({@code get(name)[epoch -
 * 1]}). {@link #params()} holds how fit trained (Keras's {@code history.params}).
 *
 * <p>{@link #writeCsv} and {@link #writeJson} save it (atomically) for other tools.
 */
public final class History {
  private final Map<String, Column> values = new LinkedHashMap<>();
  private final Map<String, String> params = new LinkedHashMap<>();
  private int epochs;
  private int stoppedEpoch;
  private int bestEpoch;
  private boolean bestWeightsRestored;

  void record(Map<String, Double> epoch) {
    for (Map.Entry<String, Double> e : epoch.entrySet()) {
      values.computeIfAbsent(e.getKey(), k -> new Column()).add(e.getValue());
    }
    epochs++;
  }

  void recordParam(String name, String value) {
    params.put(name, value);
  }

  /**
   * Records one epoch of a custom training loop (a GAN's, say): any names and values, charted and
   * tabled by {@link dev.kiln.runtime.report.TrainingReport} like fit's. Every epoch must record the
   * same names, so that each name has one value per epoch.
   *
   * @throws IllegalArgumentException when the names differ from the earlier epochs'
   */
  public void recordEpoch(Map<String, Double> epochValues) {
    java.util.Objects.requireNonNull(epochValues, "epochValues");
    if (epochs > 0 && !values.keySet().equals(epochValues.keySet())) {
      throw new IllegalArgumentException("epoch " + (epochs + 1) + " records " + epochValues.keySet()
          + ", the earlier epochs " + values.keySet() + "; record the same names every epoch");
    }
    for (Map.Entry<String, Double> e : epochValues.entrySet()) {
      java.util.Objects.requireNonNull(e.getKey(), "a name");
      java.util.Objects.requireNonNull(e.getValue(), e.getKey());
    }
    record(epochValues);
  }

  void recordStop(int epoch) {
    stoppedEpoch = epoch;
  }

  void recordBest(int epoch, boolean weightsRestored) {
    bestEpoch = epoch;
    bestWeightsRestored = weightsRestored;
  }

  /**
   * The 1-based epoch after which a callback (such as EarlyStopping) stopped training; 0 when
   * training ran all its epochs. Equals {@link #epochs()} when non-zero.
   */
  public int stoppedEpoch() {
    return stoppedEpoch;
  }

  /**
   * The 1-based epoch with the best monitored value, as judged by the run's {@link
   * dev.kiln.runtime.training.EarlyStopping} callback (the one that stopped training, else the first
   * given); 0 without one, or when no epoch improved (every value NaN).
   */
  public int bestEpoch() {
    return bestEpoch;
  }

  /** Whether fit ended by putting back the parameters of {@link #bestEpoch()}. */
  public boolean bestWeightsRestored() {
    return bestWeightsRestored;
  }

  /** Number of epochs recorded. */
  public int epochs() {
    return epochs;
  }

  /** Names of the recorded values, in first-recorded order. */
  public Set<String> names() {
    return Collections.unmodifiableSet(values.keySet());
  }

  /** One value per epoch. */
  public double[] get(String name) {
    return column(name).toArray();
  }

  /** The last epoch's value (callbacks read it every epoch: no copy of the earlier ones). */
  public double last(String name) {
    Column column = column(name);
    if (column.size == 0) {
      throw new IllegalStateException("no epoch recorded yet");
    }
    return column.values[column.size - 1];
  }

  private Column column(String name) {
    Column column = values.get(name);
    if (column == null) {
      throw new IllegalArgumentException("no '" + name + "' in this history; it has " + values.keySet());
    }
    return column;
  }

  /**
   * How fit trained, in the order recorded: {@code optimizer} (its {@code describe()}), {@code
   * learning_rate} (at the start), {@code batch_size}, {@code epochs} (asked for), {@code samples}
   * and {@code steps} (per epoch), and {@code schedule} when one was given.
   */
  public Map<String, String> params() {
    return Collections.unmodifiableMap(params);
  }

  /**
   * The values as CSV (RFC 4180, {@code \n} line ends): a header {@code epoch,<names...>}, then
   * one row per epoch. Numbers are {@link Double#toString} (so they read back exactly), non-finite
   * ones {@code NaN}, {@code Infinity}, {@code -Infinity}.
   */
  public String toCsv() {
    StringBuilder b = new StringBuilder();
    b.append("epoch");
    for (String name : values.keySet()) {
      b.append(',').append(csvField(name));
    }
    b.append('\n');
    for (int e = 0; e < epochs; e++) {
      b.append(e + 1);
      for (Column column : values.values()) {
        b.append(',');
        if (e < column.size) {
          b.append(column.values[e]);
        }
      }
      b.append('\n');
    }
    return b.toString();
  }

  /**
   * The history as one JSON object: {@code epochs}, {@code stopped_epoch}, {@code best_epoch}, {@code
   * best_weights_restored}, {@code params} (strings) and {@code history}, an array of values per
   * name. JSON has no NaN or infinity: those values are {@code null}.
   */
  public String toJson() {
    StringBuilder b = new StringBuilder();
    b.append("{\n  \"epochs\": ").append(epochs)
        .append(",\n  \"stopped_epoch\": ").append(stoppedEpoch)
        .append(",\n  \"best_epoch\": ").append(bestEpoch)
        .append(",\n  \"best_weights_restored\": ").append(bestWeightsRestored)
        .append(",\n  \"params\": {");
    String separator = "\n    ";
    for (Map.Entry<String, String> e : params.entrySet()) {
      b.append(separator).append(jsonString(e.getKey())).append(": ").append(jsonString(e.getValue()));
      separator = ",\n    ";
    }
    b.append(params.isEmpty() ? "}" : "\n  }").append(",\n  \"history\": {");
    separator = "\n    ";
    for (Map.Entry<String, Column> e : values.entrySet()) {
      b.append(separator).append(jsonString(e.getKey())).append(": [");
      Column column = e.getValue();
      for (int i = 0; i < column.size; i++) {
        double v = column.values[i];
        b.append(i == 0 ? "" : ", ").append(Double.isFinite(v) ? Double.toString(v) : "null");
      }
      b.append(']');
      separator = ",\n    ";
    }
    b.append(values.isEmpty() ? "}" : "\n  }").append("\n}\n");
    return b.toString();
  }

  /** Writes {@link #toCsv()} to {@code file} as UTF-8, atomically (a temporary file, then a rename). */
  public void writeCsv(Path file) throws IOException {
    write(file, toCsv());
  }

  /** Writes {@link #toJson()} to {@code file} as UTF-8, atomically (a temporary file, then a rename). */
  public void writeJson(Path file) throws IOException {
    write(file, toJson());
  }

  private static void write(Path file, String text) throws IOException {
    java.util.Objects.requireNonNull(file, "file");
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    AtomicFiles.write(file, channel -> AtomicFiles.writeFully(channel, ByteBuffer.wrap(bytes)));
  }

  /** A CSV field, quoted when it holds a comma, quote or line break. */
  static String csvField(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  private static String jsonString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Override
  public String toString() {
    return "History" + values;
  }

  /** One name's values, unboxed: a fit of many short epochs records them at every epoch. */
  private static final class Column {
    double[] values = new double[16];
    int size;

    void add(double value) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, 2 * size);
      }
      values[size++] = value;
    }

    double[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }

    @Override
    public String toString() {
      return java.util.Arrays.toString(toArray());
    }
  }
}
