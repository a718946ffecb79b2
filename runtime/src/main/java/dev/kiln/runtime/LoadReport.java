package dev.kiln.runtime;

import java.util.List;

/**
 * What {@link ModelCore#loadPartial} did with each tensor; {@link #toString()} prints one line per
 * tensor.
 *
 * @param file the file read
 * @param loaded model tensors written, each with the file tensor it came from
 * @param skipped file tensors not used (no wanted model tensor maps to them)
 * @param missing wanted model tensors the file does not have
 * @param wrongShape tensors present under the mapped name but with another shape or dtype (not
 *     loaded)
 * @param applied whether the parameters were changed (false for a strict load that failed)
 */
public record LoadReport(String file, List<Loaded> loaded, List<String> skipped, List<String> missing,
    List<WrongShape> wrongShape, boolean applied) {
  public LoadReport {
    loaded = List.copyOf(loaded);
    skipped = List.copyOf(skipped);
    missing = List.copyOf(missing);
    wrongShape = List.copyOf(wrongShape);
  }

  /** A model tensor read from a file tensor. */
  public record Loaded(String modelTensor, String fileTensor, List<Long> shape) {}

  /** A tensor whose file shape (or dtype) differs from the model's. */
  public record WrongShape(String modelTensor, String fileTensor, String fileShape, String modelShape) {}

  /** Whether every wanted tensor was found with its shape and every file tensor was used. */
  public boolean complete() {
    return skipped.isEmpty() && missing.isEmpty() && wrongShape.isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    out.append(applied ? "Loaded " : "Loaded nothing (strict load failed) from ").append(file);
    if (applied) {
      out.append(": ").append(loaded.size()).append(loaded.size() == 1 ? " tensor" : " tensors");
    }
    out.append('\n');
    for (Loaded l : loaded) {
      out.append("  loaded       ").append(l.modelTensor());
      if (!l.modelTensor().equals(l.fileTensor())) {
        out.append(" <- ").append(l.fileTensor());
      }
      out.append(' ').append(l.shape()).append('\n');
    }
    for (String s : skipped) {
      out.append("  skipped      ").append(s).append(" (in the file, not wanted)\n");
    }
    for (String m : missing) {
      out.append("  missing      ").append(m).append(" (wanted, not in the file)\n");
    }
    for (WrongShape w : wrongShape) {
      out.append("  wrong shape  ").append(w.modelTensor());
      if (!w.modelTensor().equals(w.fileTensor())) {
        out.append(" <- ").append(w.fileTensor());
      }
      out.append(": file ").append(w.fileShape()).append(", model ").append(w.modelShape()).append('\n');
    }
    return out.toString();
  }
}
