package dev.kiln.runtime.training;

import dev.kiln.runtime.History;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Appends one CSV row per epoch to a file as training goes, as Keras's {@code CSVLogger}: a header
 * {@code epoch,<names...>} (the first epoch's history names), then {@code <epoch>,<values...>} with
 * {@link Double#toString} numbers. Each row is written and closed at the end of its epoch, so the
 * file is readable (and survives a crash) while training runs. By default every {@code fit} starts
 * the file afresh; {@link #appending()} keeps existing rows and writes no second header (Keras's
 * {@code append=True}). Epochs are numbered from 1 in each fit. An I/O error stops fit with an
 * {@link UncheckedIOException} naming the file.
 */
public final class CsvLogger implements Callback {
  private final Path file;
  private final boolean append;
  private List<String> columns;
  private boolean headerWritten;

  private CsvLogger(Path file, boolean append) {
    this.file = Objects.requireNonNull(file, "file");
    this.append = append;
  }

  /** Writes to {@code file}, replacing it at the start of every fit. */
  public static CsvLogger to(Path file) {
    return new CsvLogger(file, false);
  }

  /** The same file, appended to: a header only when the file is new or empty. */
  public CsvLogger appending() {
    return new CsvLogger(file, true);
  }

  public Path file() {
    return file;
  }

  @Override
  public void onTrainBegin(TrainingContext model) {
    columns = null;
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      if (append && Files.exists(file)) {
        headerWritten = Files.size(file) > 0;
      } else {
        Files.write(file, new byte[0]);
        headerWritten = false;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("CsvLogger cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void onEpochEnd(int epoch, History history, TrainingContext model) {
    StringBuilder text = new StringBuilder();
    if (columns == null) {
      columns = new ArrayList<>(history.names());
    }
    if (!headerWritten) {
      text.append("epoch");
      for (String name : columns) {
        text.append(',').append(field(name));
      }
      text.append('\n');
    }
    text.append(epoch);
    for (String name : columns) {
      text.append(',');
      if (history.names().contains(name)) {
        text.append(history.last(name));
      }
    }
    text.append('\n');
    try {
      Files.write(file, text.toString().getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      headerWritten = true;
    } catch (IOException e) {
      throw new UncheckedIOException("CsvLogger cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static String field(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  @Override
  public String toString() {
    return "CsvLogger(" + file + (append ? ", appending" : "") + ")";
  }
}
