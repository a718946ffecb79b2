package dev.kiln.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import dev.kiln.runtime.Model;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * A property of the processor: every declaration compiles to a model that constructs and predicts,
 * or is rejected with located {@code [kiln.*]} errors (never {@code kiln.internal}, never an error
 * in generated code). Random layer kinds, graph edges, sizes near the array limit, doubles from
 * 1e-300 to 1e300, optimizers and losses; seeded, so a failure reproduces. {@code -Dkiln.random.seed}
 * and {@code -Dkiln.random.declarations} explore further.
 */
class RandomDeclarationsTest {
  private static final int BATCH = 40;
  /** Models whose constants are all below this are constructed (the rest only compiled). */
  private static final int CONSTRUCT_LIMIT = 1_000_000;

  private static final int[] SIZES = {1, 2, 3, 5, 8, 16, 46340, 65536, 306783377, 536870910, 2147483639,
      2147483647};
  private static final String[] DOUBLES = {"0", "1e-300", "1e-60", "1e-40", "1.4e-45", "1e-7", "1e-3", "0.01", "0.1",
      "0.5", "0.9", "0.99999999999", "0.99999994", "1", "2", "3.4028234e38", "1e39", "1e300", "-0.1", "-1e300",
      "Double.NaN", "Double.POSITIVE_INFINITY"};
  private static final String[] ACTIVATIONS = {"LINEAR", "SIGMOID", "TANH", "RELU", "LEAKY_RELU", "ELU", "SELU",
      "SWISH", "GELU", "GELU_TANH", "SOFTMAX"};
  private static final String[] INITS = {"HE_NORMAL", "HE_UNIFORM", "GLOROT_NORMAL", "GLOROT_UNIFORM",
      "LECUN_NORMAL", "ZEROS", "ONES", "CONSTANT"};
  private static final String[] LOSSES = {"MEAN_SQUARED_ERROR", "MEAN_ABSOLUTE_ERROR", "BINARY_CROSSENTROPY",
      "CATEGORICAL_CROSSENTROPY", "SPARSE_CATEGORICAL_CROSSENTROPY"};
  private static final String[][] OPTIMIZERS = {
      {"Sgd", "learningRate"}, {"Momentum", "learningRate", "momentum"}, {"Nesterov", "learningRate", "momentum"},
      {"AdaGrad", "learningRate", "epsilon"}, {"RmsProp", "learningRate", "rho", "epsilon"},
      {"Adam", "learningRate", "beta1", "beta2", "epsilon"},
      {"AdamW", "learningRate", "beta1", "beta2", "epsilon", "weightDecay"}};

  private final Random random = new Random(Long.getLong("kiln.random.seed", 20261126L));

  @Test
  void everyDeclarationCompilesAndConstructsOrIsALocatedKilnError() {
    int declarations = Integer.getInteger("kiln.random.declarations", 300);
    int compiled = 0;
    int constructed = 0;
    int rejected = 0;
    for (int first = 0; first < declarations; first += BATCH) {
      Map<String, JavaFileObject> files = new HashMap<>();
      for (int i = first; i < Math.min(first + BATCH, declarations); i++) {
        String name = "N" + i;
        files.put(name, JavaFileObjects.forSourceString("p." + name, declaration(name)));
      }
      Compilation all = compile(files.values());
      List<String> passing = new ArrayList<>();
      for (Map.Entry<String, JavaFileObject> e : files.entrySet()) {
        List<String> errors = checkErrors(all, e.getValue());
        if (errors.isEmpty()) {
          passing.add(e.getKey());
        } else {
          rejected++;
        }
      }
      for (Diagnostic<? extends JavaFileObject> d : all.errors()) {
        if (d.getSource() == null
            || files.values().stream().noneMatch(f -> f.toUri().equals(d.getSource().toUri()))) {
          fail("an error outside the declarations (generated code?): " + d + "\n" + sources(files));
        }
      }
      // javac writes no class files once anything failed: compile the passing ones again, alone.
      List<JavaFileObject> good = passing.stream().map(files::get).toList();
      if (good.isEmpty()) {
        continue;
      }
      Compilation ok = compile(good);
      if (!ok.errors().isEmpty()) {
        fail("declarations without Kiln errors failed to compile: " + ok.errors() + "\n" + sources(files));
      }
      CompiledClasses classes = new CompiledClasses(ok);
      for (String name : passing) {
        compiled++;
        if (construct(classes, name, files.get(name))) {
          constructed++;
        }
      }
    }
    System.out.printf(Locale.ROOT, "RandomDeclarationsTest: %d declarations, %d compiled (%d constructed), %d rejected%n",
        declarations, compiled, constructed, rejected);
    assertEquals(declarations, compiled + rejected);
    // The generator must exercise both outcomes, and construct a good share of what compiles.
    assertTrue(compiled >= declarations / 10, "compiled " + compiled + " of " + declarations);
    assertTrue(rejected >= declarations / 10, "rejected " + rejected + " of " + declarations);
    assertTrue(constructed >= compiled / 3, "constructed " + constructed + " of " + compiled);
  }

  private static Compilation compile(Iterable<JavaFileObject> files) {
    // javac stops reporting after 100 errors by default: every declaration's must be seen.
    return Compiler.javac().withOptions("-Xmaxerrs", "100000", "-Xmaxwarns", "100000")
        .withProcessors(new KilnProcessor()).compile(files);
  }

  /** The file's errors, each required to be a located Kiln error that is not kiln.internal. */
  private static List<String> checkErrors(Compilation compilation, JavaFileObject file) {
    List<String> errors = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : compilation.errors()) {
      if (d.getSource() == null || !d.getSource().toUri().equals(file.toUri())) {
        continue;
      }
      String message = d.getMessage(Locale.ROOT);
      errors.add(message);
      String where = "\n" + file.getName() + ":\n" + content(file);
      assertTrue(message.startsWith("[kiln.") && !message.startsWith("[kiln.internal]"),
          "not a Kiln error: " + message + where);
      assertTrue(d.getLineNumber() > 0, "not located: " + message + where);
    }
    return errors;
  }

  /** Constructs the model and predicts when its sizes are small; true if it did. */
  private static boolean construct(CompiledClasses classes, String name, JavaFileObject file) {
    String model = "p." + name + "Model";
    try {
      Class<?> type = classes.loadClass(model);
      int maxBatch = 2;
      for (Field f : type.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
          f.setAccessible(true);
          if (f.getInt(null) > CONSTRUCT_LIMIT) {
            return false;
          }
        }
      }
      Model m = (Model) classes.construct(model, maxBatch);
      var info = m.core().info();
      List<float[][]> inputs = new ArrayList<>();
      for (int i = 0; i < info.inputs().size(); i++) {
        inputs.add(new float[maxBatch][info.inputSize(i)]);
      }
      float[][] out = m.predict(inputs);
      assertEquals(maxBatch, out.length, model);
      assertEquals(info.outputSize(), out[0].length, model);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new AssertionError(model + " compiled but did not construct and predict:\n" + content(file), e);
    }
  }

  // ------------------------------------------------------------------ the generator

  private String declaration(String name) {
    StringBuilder s = new StringBuilder("package p; import dev.kiln.annotations.*; import dev.kiln.runtime.Layer; "
        + "import static dev.kiln.annotations.ActivationFunction.*; "
        + "import static dev.kiln.annotations.Initializer.*;\n");
    boolean explicitInputs = random.nextInt(5) == 0;
    s.append("@Network(");
    if (!explicitInputs || random.nextInt(10) == 0) {
      s.append("input = ").append(shape()).append(", ");
    }
    String loss = pick(LOSSES);
    s.append("loss = Loss.").append(loss);
    if (random.nextInt(3) == 0) {
      s.append(", maxBatch = ").append(random.nextInt(5) == 0 ? pick(SIZES) : 1 + random.nextInt(64));
    }
    if (random.nextInt(5) == 0 && loss.contains("CROSSENTROPY")) {
      s.append(", labelSmoothing = ").append(doubleValue());
    }
    s.append(")\n");
    if (random.nextInt(3) > 0) {
      String[] optimizer = OPTIMIZERS[random.nextInt(OPTIMIZERS.length)];
      List<String> values = new ArrayList<>();
      for (int i = 1; i < optimizer.length; i++) {
        if (random.nextBoolean()) {
          values.add(optimizer[i] + " = " + doubleValue());
        }
      }
      s.append("@").append(optimizer[0]).append("(").append(String.join(", ", values)).append(")\n");
    }
    s.append("interface ").append(name).append(" {\n");
    List<String> layers = new ArrayList<>();
    if (explicitInputs) {
      int inputs = random.nextInt(4) == 0 ? 2 : 1;
      for (int i = 0; i < inputs; i++) {
        layers.add("in" + i);
        s.append("  @Input(").append(shape()).append(")\n  Layer in").append(i).append("();\n");
      }
    } else {
      layers.add("input");
    }
    int count = 1 + random.nextInt(6);
    for (int i = 0; i < count; i++) {
      String layer = "l" + i;
      List<String> edges = new ArrayList<>();
      String annotation;
      boolean last = i == count - 1;
      switch (last && random.nextInt(5) > 0 ? 0 : random.nextInt(10)) {
        case 0, 1 -> annotation = dense(last ? outputActivation(loss) : hiddenActivation());
        case 2 -> annotation = "@Activation(value = " + hiddenActivation() + ")";
        case 3 -> annotation = "@Dropout(" + doubleValue() + ")";
        case 4 -> annotation = "@GaussianNoise(stddev = " + doubleValue() + ")";
        case 5 -> annotation = "@BatchNorm(" + maybe("momentum") + ")";
        case 6 -> annotation = "@LayerNorm(" + maybe("epsilon") + ")";
        case 7 -> annotation = "@Add";
        case 8 -> annotation = "@Concatenate";
        default -> annotation = imageLayer();
      }
      boolean joins = annotation.equals("@Add") || annotation.equals("@Concatenate");
      if (joins || layers.size() > 1 && random.nextInt(10) == 0) {
        // Name earlier layers (the implicit input is named input); a join reads the previous
        // layer and one or two others, so mostly nothing is left unread.
        edges.add(layers.get(layers.size() - 1));
        int wanted = joins ? 1 + random.nextInt(2) : random.nextInt(2);
        for (int k = 0; k < wanted; k++) {
          String from = layers.get(random.nextInt(layers.size()));
          if (!edges.contains(from)) {
            edges.add(from);
          }
        }
      }
      List<String> parameters = new ArrayList<>();
      for (String edge : edges) {
        parameters.add("Layer " + edge);
      }
      s.append("  ").append(annotation).append("\n  Layer ").append(layer).append("(")
          .append(String.join(", ", parameters)).append(");\n");
      layers.add(layer);
    }
    return s.append("}\n").toString();
  }

  /** A training-only image layer: spatial dropout or an augmentation, with values from the edge cases too. */
  private String imageLayer() {
    String fill = ", fillMode = FillMode." + pick(new String[] {"REFLECT", "WRAP", "CONSTANT", "NEAREST"})
        + ", interpolation = Interpolation." + (random.nextBoolean() ? "BILINEAR" : "NEAREST")
        + (random.nextInt(4) == 0 ? ", fillValue = " + doubleValue() : "");
    switch (random.nextInt(4)) {
      case 0:
        return "@SpatialDropout2D(" + doubleValue() + ")";
      case 1:
        return "@RandomFlip(mode = FlipMode." + pick(new String[] {"HORIZONTAL", "VERTICAL", "HORIZONTAL_AND_VERTICAL"})
            + ")";
      case 2:
        return "@RandomTranslation(heightFactor = " + factor() + ", widthFactor = " + factor() + fill + ")";
      default:
        return "@RandomZoom(heightFactor = " + factor() + (random.nextBoolean() ? ", widthFactor = " + factor() : "")
            + fill + ")";
    }
  }

  /** One value, or mostly two, for an augmentation factor; sometimes negative. */
  private String factor() {
    String first = doubleValue();
    if (random.nextInt(3) == 0 && !first.startsWith("-")) {
      first = "-" + first;
    }
    return random.nextInt(3) == 0 ? first : "{" + first + ", " + doubleValue() + "}";
  }

  private String dense(String activation) {
    StringBuilder d = new StringBuilder("@Dense(units = ").append(random.nextInt(10) == 0 ? pick(SIZES)
        : 2 + random.nextInt(7));
    d.append(", activation = ").append(activation);
    if (random.nextInt(4) == 0) {
      d.append(", kernelL1 = ").append(doubleValue());
    }
    if (random.nextInt(4) == 0) {
      d.append(", kernelL2 = ").append(doubleValue());
    }
    if (random.nextInt(4) == 0) {
      d.append(", kernelInit = ").append(pick(INITS));
    }
    if (random.nextInt(5) == 0) {
      d.append(", kernelInitValue = ").append(doubleValue());
    }
    if (random.nextInt(5) == 0) {
      d.append(", biasInit = CONSTANT, biasInitValue = ").append(doubleValue());
    }
    if (random.nextInt(6) == 0) {
      d.append(", useBias = false");
    }
    if (random.nextInt(6) == 0) {
      d.append(", trainable = false");
    }
    return d.append(")").toString();
  }

  /** An activation for the output layer, mostly the one the loss expects, with its extras. */
  private String outputActivation(String loss) {
    if (random.nextInt(6) == 0) {
      return pick(ACTIVATIONS) + extras();
    }
    switch (loss) {
      case "CATEGORICAL_CROSSENTROPY", "SPARSE_CATEGORICAL_CROSSENTROPY":
        return "SOFTMAX" + (random.nextInt(3) == 0 ? ", temperature = " + doubleValue() : "");
      case "BINARY_CROSSENTROPY":
        return "SIGMOID";
      default:
        return random.nextBoolean() ? "LINEAR" : hiddenActivation();
    }
  }

  /** An activation for a hidden layer: mostly not softmax, alpha mostly where it applies. */
  private String hiddenActivation() {
    String f = pick(ACTIVATIONS);
    if (f.equals("SOFTMAX") && random.nextInt(5) > 0) {
      f = "TANH";
    }
    return f + extras();
  }

  private String extras() {
    StringBuilder e = new StringBuilder();
    if (random.nextInt(8) == 0) {
      e.append(", alpha = ").append(doubleValue());
    }
    if (random.nextInt(8) == 0) {
      e.append(", temperature = ").append(doubleValue());
    }
    return e.toString();
  }

  private String maybe(String attribute) {
    return random.nextBoolean() ? attribute + " = " + doubleValue() : "";
  }

  private String shape() {
    int rank = random.nextInt(5) == 0 ? 2 : random.nextInt(6) == 0 ? 3 : 1; // rank 3: an image
    List<String> dims = new ArrayList<>();
    for (int i = 0; i < rank; i++) {
      dims.add(String.valueOf(random.nextInt(10) == 0 ? pick(SIZES) : 1 + random.nextInt(6)));
    }
    return "{" + String.join(", ", dims) + "}";
  }

  /** Mostly an ordinary value in [0, 0.5), else one of the edge cases: 1e-300 to 1e300, NaN, negative. */
  private String doubleValue() {
    return random.nextInt(5) > 0 ? String.valueOf(random.nextDouble() / 2 + 1e-6) : pick(DOUBLES);
  }

  private int pick(int[] values) {
    return values[random.nextInt(values.length)];
  }

  private String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }

  private static String content(JavaFileObject file) {
    try {
      return file.getCharContent(true).toString();
    } catch (java.io.IOException e) {
      return "(unreadable)";
    }
  }

  private static String sources(Map<String, JavaFileObject> files) {
    StringBuilder s = new StringBuilder();
    files.values().forEach(f -> s.append(f.getName()).append(":\n").append(content(f)).append('\n'));
    return s.toString();
  }
}
