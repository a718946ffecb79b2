package dev.kiln.runtime.data;

import dev.kiln.runtime.io.KilnFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The <a href="https://github.com/zalandoresearch/fashion-mnist">Fashion-MNIST</a> data set, 28x28
 * grayscale images of clothing in 10 classes, loaded from its four IDX files so examples and tests
 * can train on real data with the JDK alone.
 *
 * <p>On Debian and Ubuntu, {@code sudo apt-get install dataset-fashion-mnist} puts the files in
 * {@link #DEFAULT_DIRECTORY}; {@link #load(Path)} takes any directory holding them, each either
 * gzip-compressed ({@code train-images-idx3-ubyte.gz}) or plain ({@code train-images-idx3-ubyte}).
 * Images are flattened to rows of {@value #IMAGE_SIZE} floats scaled to {@code [0, 1]}; labels are
 * class indices into {@link #CLASS_NAMES}.
 *
 * <p>The accessors return the loaded arrays themselves, not copies.
 */
public final class FashionMnist {
  /** Where the Debian package {@code dataset-fashion-mnist} installs the files. */
  public static final Path DEFAULT_DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

  /** The command that installs the data set into {@link #DEFAULT_DIRECTORY} on Debian/Ubuntu. */
  public static final String INSTALL_COMMAND = "sudo apt-get install dataset-fashion-mnist";

  public static final int IMAGE_ROWS = 28;
  public static final int IMAGE_COLUMNS = 28;
  /** Floats per flattened image. */
  public static final int IMAGE_SIZE = IMAGE_ROWS * IMAGE_COLUMNS;
  public static final int CLASS_COUNT = 10;

  /** Class names by label. */
  public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover",
      "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  /** File names without the optional {@code .gz} suffix, in the order they are loaded. */
  public static final List<String> FILE_NAMES = List.of("train-images-idx3-ubyte",
      "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

  private final Path directory;
  private final float[][] trainImages;
  private final int[] trainLabels;
  private final float[][] testImages;
  private final int[] testLabels;

  private FashionMnist(Path directory, float[][] trainImages, int[] trainLabels,
      float[][] testImages, int[] testLabels) {
    this.directory = directory;
    this.trainImages = trainImages;
    this.trainLabels = trainLabels;
    this.testImages = testImages;
    this.testLabels = testLabels;
  }

  /** Loads the data set from {@link #DEFAULT_DIRECTORY}; see {@link #load(Path)}. */
  public static FashionMnist load() throws IOException {
    return load(DEFAULT_DIRECTORY);
  }

  /**
   * Loads the four Fashion-MNIST IDX files from {@code directory}.
   *
   * @throws NoSuchFileException if a file is missing; the message names the directory, the
   *     missing files and how to install the data set
   * @throws KilnFormatException if a file is malformed, or the files are inconsistent: images not
   *     28x28 unsigned bytes, labels not a list of unsigned bytes below {@value #CLASS_COUNT}, or
   *     image and label counts that differ
   * @throws IOException if a file cannot be read at all
   */
  public static FashionMnist load(Path directory) throws IOException {
    Objects.requireNonNull(directory, "directory");
    List<String> missing = new ArrayList<>();
    Path[] files = new Path[FILE_NAMES.size()];
    for (int i = 0; i < files.length; i++) {
      files[i] = find(directory, FILE_NAMES.get(i));
      if (files[i] == null) {
        missing.add(FILE_NAMES.get(i));
      }
    }
    if (!missing.isEmpty()) {
      String where = Files.isDirectory(directory)
          ? "directory " + directory + " lacks " + String.join(" and ", missing)
              + " (plain or .gz)"
          : "directory " + directory + " does not exist";
      throw new NoSuchFileException(directory.resolve(missing.get(0)).toString(), null,
          "Fashion-MNIST not found: " + where + ". On Debian/Ubuntu install it with `"
              + INSTALL_COMMAND + "` (into " + DEFAULT_DIRECTORY + "), or pass any directory"
              + " holding the four IDX files " + String.join(", ", FILE_NAMES)
              + " (each plain or .gz)");
    }
    float[][] trainImages = images(files[0]);
    int[] trainLabels = labels(files[1], files[0], trainImages.length);
    float[][] testImages = images(files[2]);
    int[] testLabels = labels(files[3], files[2], testImages.length);
    return new FashionMnist(directory, trainImages, trainLabels, testImages, testLabels);
  }

  /** Whether {@code directory} holds all four files (plain or .gz); their contents are not read. */
  public static boolean isAvailable(Path directory) {
    Objects.requireNonNull(directory, "directory");
    for (String name : FILE_NAMES) {
      if (find(directory, name) == null) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@link #DEFAULT_DIRECTORY} holds all four files. */
  public static boolean isAvailable() {
    return isAvailable(DEFAULT_DIRECTORY);
  }

  /**
   * One row per label with {@code 1f} in column {@code labels[i]} and {@code 0f} elsewhere.
   *
   * @throws IllegalArgumentException if {@code classes < 1} or a label is outside {@code [0,
   *     classes)}
   */
  public static float[][] oneHot(int[] labels, int classes) {
    Objects.requireNonNull(labels, "labels");
    if (classes < 1) {
      throw new IllegalArgumentException("classes must be at least 1, got " + classes);
    }
    float[][] out = new float[labels.length][];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " at index " + i + " is outside [0, " + classes + ")");
      }
      out[i] = new float[classes];
      out[i][labels[i]] = 1f;
    }
    return out;
  }

  /** The directory the data was loaded from. */
  public Path directory() {
    return directory;
  }

  /** The 60,000 training images, each {@value #IMAGE_SIZE} floats in {@code [0, 1]}. */
  public float[][] trainImages() {
    return trainImages;
  }

  /** The training labels, {@code 0..9}, one per training image. */
  public int[] trainLabels() {
    return trainLabels;
  }

  /** The 10,000 test images, each {@value #IMAGE_SIZE} floats in {@code [0, 1]}. */
  public float[][] testImages() {
    return testImages;
  }

  /** The test labels, {@code 0..9}, one per test image. */
  public int[] testLabels() {
    return testLabels;
  }

  @Override
  public String toString() {
    return "FashionMnist[" + directory + ", " + trainLabels.length + " train, "
        + testLabels.length + " test]";
  }

  // ---------------------------------------------------------------------------------------------

  /** {@code name} in {@code directory}, plain if present, else {@code name.gz}, else null. */
  private static Path find(Path directory, String name) {
    for (String candidate : new String[] {name, name + ".gz"}) {
      Path path = directory.resolve(candidate);
      if (Files.isRegularFile(path)) {
        return path;
      }
    }
    return null;
  }

  private static float[][] images(Path file) throws IOException {
    IdxArray array = Idx.read(file);
    int[] shape = array.shape();
    if (array.type() != Idx.ElementType.UNSIGNED_BYTE || shape.length != 3
        || shape[1] != IMAGE_ROWS || shape[2] != IMAGE_COLUMNS) {
      throw Idx.format(file.toString(), "expected unsigned-byte images of shape [n, "
          + IMAGE_ROWS + ", " + IMAGE_COLUMNS + "], found " + describe(array));
    }
    return Idx.images(array);
  }

  private static int[] labels(Path file, Path imageFile, int imageCount) throws IOException {
    IdxArray array = Idx.read(file);
    if (array.type() != Idx.ElementType.UNSIGNED_BYTE || array.rank() != 1) {
      throw Idx.format(file.toString(), "expected unsigned-byte labels of shape [n], found "
          + describe(array));
    }
    if (array.itemCount() != imageCount) {
      throw Idx.format(file.toString(), "has " + array.itemCount() + " labels but " + imageFile
          + " has " + imageCount + " images");
    }
    int[] labels = Idx.labels(array);
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= CLASS_COUNT) {
        throw Idx.format(file.toString(), "label " + labels[i] + " of item " + i + " (byte "
            + (8 + i) + ") is not a class index below " + CLASS_COUNT);
      }
    }
    return labels;
  }

  private static String describe(IdxArray array) {
    return (array.type() == Idx.ElementType.UNSIGNED_BYTE ? "unsigned bytes" : "floats")
        + " of shape " + Arrays.toString(array.shape());
  }
}
