package dev.kiln.processor.emit;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.kiln.annotations.Loss;
import dev.kiln.processor.model.LayerPlan;
import dev.kiln.processor.model.LayerPlan.TensorPlan;
import dev.kiln.processor.model.NetworkPlan;
import dev.kiln.processor.model.NetworkSpec;
import dev.kiln.processor.model.OptimizerSpec;
import dev.kiln.processor.model.Parameter;
import dev.kiln.processor.model.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;

/**
 * Stage 5: writes {@code <Type>Model}, a class implementing the declared type and
 * {@code dev.kiln.runtime.Model}. Shapes and parameter offsets are constants; a nested
 * {@code Program} holds the buffers and runs the graph as a fixed sequence of per-layer methods,
 * forward in source order and backward in reverse. Every generated name comes from one
 * {@link NameAllocator}, so no layer name can clash with generated code.
 */
public final class ModelEmitter {
  private static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");
  private static final String PROCESSOR = "dev.kiln.processor.KilnProcessor";
  private static final TypeName FLOATS = ArrayTypeName.of(TypeName.FLOAT);
  private static final TypeName INTS = ArrayTypeName.of(TypeName.INT);

  /** Members of CompiledNetwork, of the generated classes, and the generated methods' parameters. */
  private static final List<String> RESERVED = List.of(
      "INFO", "OUTPUT_SIZE", "TARGET_SIZE", "PARAMETER_COUNT", "TRAINABLE_PARAMETER_COUNT", "DEFAULT_MAX_BATCH",
      "core", "Program", "K", "GEMM", "params", "grads", "target", "lossWeights", "noise", "maxBatch", "inputBuffers",
      "inputGradientBuffers", "parameterGradients", "inputGradients", "lossGradient", "updateStatistics", "info", "initialize",
      "forward", "backward", "output", "outputGradient", "layerOutput", "loss", "batchBuffer", "gradientBuffer",
      "forTraining", "n", "training",
      "random", "index", "seed", "sharedParams", "infos", "sum", "frozen", "StepProgram", "carried");

  /**
   * Statements per generated helper method when a sequence that grows with the network is split:
   * a method's bytecode must stay under the JVM's 64 KB (javac's "code too large"), and small
   * methods stay under HotSpot's 8,000-byte compile limit.
   */
  static final int CHUNK = 50;

  private final NetworkPlan network;
  private final NetworkSpec spec;
  private final ClassName modelName;
  private final NameAllocator names = new NameAllocator();
  /** Per-layer constants (FEATURES, POSITIONS) requested while emitting, added to the class at the end. */
  private final Map<String, FieldSpec> extraConstants = new LinkedHashMap<>();
  /** Edges whose gradient code adds into the shared gradient itself, needing no scratch buffer. */
  private final Set<String> addsDirectly = new java.util.HashSet<>();
  /** Per node, whether its output's gradient reaches a parameter (see {@link #guarded}); built on first use. */
  private Map<LayerPlan, Boolean> leadsToParameters;
  /** Per node, whether its output typically holds many zeros; built on first use. */
  private Map<LayerPlan, Boolean> hasZeros;
  private boolean generatedAnnotation = true;
  /** The value of every int constant a buffer size can name, for the cost in the class javadoc. */
  private final Map<String, Long> constantValues = new HashMap<>();
  /** Values per sample of every buffer Program allocates, summed while emitting it. */
  private long bufferValuesPerSample;
  /** Values of the buffers whose size does not depend on the batch. */
  private long fixedBufferValues;
  /** Whether some buffer's size is only known at construction (not counted in the javadoc's cost). */
  private boolean sizedAtConstruction;
  /** True for the emitter of the step program (the network planned for one time step). */
  private final boolean stepProgram;
  /** The one-step plan the step program is generated from, or null. */
  private NetworkPlan stepPlan;
  /** Why the network cannot be stepped (a recurrent network without a step program), or null. */
  private String stepRefusal;
  /** In the step program: each carried state's description ({@code lstm hidden}) and width, in layer order. */
  private final Map<String, Integer> carriedStates = new LinkedHashMap<>();

  /** The layer's index in execution order, inputs not counted (as {@code NetworkInfo.layers()}). */
  int layerIndex(LayerPlan layer) {
    int index = network.layers().indexOf(layer);
    if (index < 0) {
      throw new IllegalStateException("no layer " + layer.name() + " in " + spec.type());
    }
    return index;
  }

  public ModelEmitter(NetworkPlan network) {
    this(network, false);
  }

  private ModelEmitter(NetworkPlan network, boolean stepProgram) {
    this.stepProgram = stepProgram;
    this.network = network;
    this.spec = network.spec();
    this.modelName = modelName(spec.type());
    for (String reserved : RESERVED) {
      names.newName(reserved, reserved);
    }
    // Allocate in a fixed order so names do not depend on emission order.
    for (LayerPlan node : network.nodes()) {
      if (node.isInput()) {
        names.newName(node.name(), key(node, "out"));
        names.newName(node.name() + "Grad", key(node, "grad"));
        constantValues.put(names.newName(network.inputs().size() == 1 && spec.hasImplicitInput() ? "INPUT_SIZE"
            : constant(node.name()) + "_SIZE", key(node, "width")), node.outputShape().size());
      } else {
        names.newName(node.name(), key(node, "handle"));
        names.newName(node.name() + "Out", key(node, "out"));
        names.newName(node.name() + "Grad", key(node, "grad"));
        constantValues.put(names.newName(constant(node.name()) + "_WIDTH", key(node, "width")),
            node.outputShape().size());
        for (TensorPlan t : node.tensors()) {
          names.newName(constant(node.name()) + "_" + t.suffix().toUpperCase(Locale.ROOT), key(node, t.suffix()));
        }
      }
    }
  }

  /** {@code Xor} -> {@code XorModel}; nested {@code Outer.Xor} -> {@code Outer_XorModel}. */
  public static ClassName modelName(TypeElement type) {
    ClassName declared = ClassName.get(type);
    String simple = String.join("_", declared.simpleNames()) + "Model";
    return ClassName.get(declared.packageName(), simple);
  }

  /**
   * Whether the class is marked {@code @javax.annotation.processing.Generated} (the default). The
   * processor turns it off for a named module that does not read {@code java.compiler}.
   */
  public ModelEmitter withGeneratedAnnotation(boolean on) {
    this.generatedAnnotation = on;
    return this;
  }

  /**
   * A recurrent network's stepping: the one-step plan its step program is generated from, or the
   * reason it has none (the model's {@code newState} and {@code step} report it).
   */
  public ModelEmitter withStepping(NetworkPlan stepPlan, String refusal) {
    this.stepPlan = stepPlan;
    this.stepRefusal = refusal;
    return this;
  }

  boolean inStepProgram() {
    return stepProgram;
  }

  /** The expression of a carried state in the step program ({@code carried[i]}); null otherwise. */
  String carriedState(LayerPlan layer, String what, int width) {
    if (!stepProgram) {
      return null;
    }
    String key = layer.name() + " " + what;
    carriedStates.putIfAbsent(key, width);
    return "carried[" + new ArrayList<>(carriedStates.keySet()).indexOf(key) + "]";
  }

  private List<AnnotationSpec> generatedAnnotation(TypeElement type) {
    if (!generatedAnnotation) {
      return List.of();
    }
    return List.of(AnnotationSpec.builder(GENERATED)
        .addMember("value", "$S", PROCESSOR)
        .addMember("comments", "$S", "from " + type.getQualifiedName())
        .build());
  }

  /** {@code hiddenLayer} and {@code hidden_layer} both become {@code HIDDEN_LAYER}. */
  static String constant(String name) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isUpperCase(c) && i > 0 && name.charAt(i - 1) != '_' && !Character.isUpperCase(name.charAt(i - 1))) {
        out.append('_');
      }
      out.append(Character.toUpperCase(c));
    }
    return out.toString().toUpperCase(Locale.ROOT);
  }

  private static String key(LayerPlan node, String role) {
    return node.index() + ":" + role;
  }

  // ------------------------------------------------------------------ names, for LayerContext

  String out(LayerPlan node) {
    return names.get(key(node, "out"));
  }

  String grad(LayerPlan node) {
    return names.get(key(node, "grad"));
  }

  String width(LayerPlan node) {
    return names.get(key(node, "width"));
  }

  String offset(LayerPlan node, String suffix) {
    return names.get(key(node, suffix));
  }

  /** The last axis: the width constant for a flat node, a constant of its own otherwise. */
  String features(LayerPlan node) {
    if (node.outputShape().rank() == 1) {
      return width(node);
    }
    return perLayerConstant(node, "FEATURES", node.outputShape().last(), "Last axis of " + node.name() + ".");
  }

  String positions(LayerPlan node) {
    if (node.outputShape().rank() == 1) {
      return "1";
    }
    return perLayerConstant(node, "POSITIONS", node.outputShape().positions(),
        "Positions per sample of " + node.name() + " (all axes but the last).");
  }

  /** Rows of the node's output as a [rows x features] matrix. */
  String rows(LayerPlan node) {
    return node.outputShape().rank() == 1 ? "n" : "n * " + positions(node);
  }

  private String perLayerConstant(LayerPlan node, String role, long value, String doc) {
    String key = key(node, role);
    if (!extraConstants.containsKey(key)) {
      String name = names.newName(constant(node.name()) + "_" + role, key);
      constantValues.put(name, value);
      extraConstants.put(key, constant(name, (int) value, false, doc));
    }
    return names.get(key);
  }

  String member(LayerPlan node, String role) {
    String key = key(node, role);
    try {
      return names.get(key);
    } catch (IllegalArgumentException notYet) {
      return names.newName(node.name() + role, key);
    }
  }

  // ------------------------------------------------------------------ gradients with respect to inputs

  /** True when {@code layer} is the first of {@code input}'s readers to run backward: it overwrites. */
  private boolean writesFirst(LayerPlan layer, LayerPlan input) {
    List<LayerPlan> readers = network.consumers(input);
    return readers.get(readers.size() - 1) == layer;
  }

  /** Where edge i's gradient is written: the input's gradient buffer, or this layer's scratch. */
  private String gradientTarget(LayerPlan layer, int i) {
    LayerPlan input = layer.inputs().get(i);
    return writesFirst(layer, input) ? grad(input) : member(layer, "GradTo" + capitalize(input.name()));
  }

  CodeBlock inputGradient(LayerPlan layer, int i, BiFunction<String, Boolean, CodeBlock> write, boolean adds) {
    LayerPlan input = layer.inputs().get(i);
    CodeBlock.Builder code = CodeBlock.builder();
    if (writesFirst(layer, input)) {
      code.add(write.apply(grad(input), false));
    } else if (adds) {
      code.add("// $L is read by later layers too: their gradients are summed.\n", input.name());
      code.add(write.apply(grad(input), true));
      addsDirectly.add(key(layer, "in" + i));
    } else {
      String part = gradientTarget(layer, i);
      code.add("// $L is read by later layers too: their gradients are summed.\n", input.name());
      code.add(write.apply(part, false));
      code.add(accumulate(layer, i));
    }
    return guarded(input, code.build());
  }

  String inputGradientAlias(LayerPlan layer, int i) {
    LayerPlan input = layer.inputs().get(i);
    return !input.isInput() && network.consumers(input).size() == 1 ? grad(input) : null;
  }

  String inputGradientArgument(LayerPlan layer, int i) {
    LayerPlan input = layer.inputs().get(i);
    String target = gradientTarget(layer, i);
    return leadsToParameters(input) ? target : "inputGradients ? " + target + " : null";
  }

  String soleReaderInputGradient(LayerPlan layer, int i) {
    LayerPlan input = layer.inputs().get(i);
    return network.consumers(input).size() == 1 ? grad(input) : null;
  }

  CodeBlock afterInputGradient(LayerPlan layer, int i) {
    LayerPlan input = layer.inputs().get(i);
    if (writesFirst(layer, input)) {
      return CodeBlock.of("");
    }
    return guarded(input, accumulate(layer, i));
  }

  private CodeBlock accumulate(LayerPlan layer, int i) {
    LayerPlan input = layer.inputs().get(i);
    return CodeBlock.of("K.accumulate(n * $L, $L, 0, $L, 0);\n", width(input), gradientTarget(layer, i), grad(input));
  }

  /**
   * Gradients that lead to no parameter (a network input's, or those of parameterless layers that
   * read only inputs: augmentation or a flatten at the input) are computed only when input
   * gradients are asked for, so a training step does not pay their transposes.
   */
  private CodeBlock guarded(LayerPlan input, CodeBlock code) {
    if (leadsToParameters(input)) {
      return code;
    }
    return CodeBlock.builder().beginControlFlow("if (inputGradients)").add(code).endControlFlow().build();
  }

  /** Whether {@code node}'s output typically holds many zeros ({@code LayerSpec.outputHasZeros}), inputs first. */
  boolean outputHasZeros(LayerPlan node) {
    if (hasZeros == null) {
      hasZeros = new java.util.IdentityHashMap<>();
      for (LayerPlan n : network.nodes()) {
        List<Boolean> inputs = new ArrayList<>();
        for (LayerPlan input : n.inputs()) {
          inputs.add(hasZeros.get(input));
        }
        hasZeros.put(n, n.spec().outputHasZeros(inputs));
      }
    }
    return hasZeros.get(node);
  }

  /** Whether the gradient with respect to {@code node}'s output reaches a parameter: its own or an ancestor's. */
  private boolean leadsToParameters(LayerPlan node) {
    if (leadsToParameters == null) {
      // Nodes come in source order, inputs before their readers: one pass decides every node.
      leadsToParameters = new java.util.IdentityHashMap<>();
      for (LayerPlan n : network.nodes()) {
        boolean leads = n.parameterCount() > 0;
        for (LayerPlan input : n.inputs()) {
          leads |= leadsToParameters.get(input);
        }
        leadsToParameters.put(n, leads);
      }
    }
    return leadsToParameters.get(node);
  }

  private static String capitalize(String name) {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  // ------------------------------------------------------------------ the file

  public JavaFile emit() {
    TypeElement type = spec.type();
    TypeSpec.Builder model = TypeSpec.classBuilder(modelName)
        .addOriginatingElement(type)
        .addAnnotations(generatedAnnotation(type))
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addJavadoc("The network declared by {@link $T}, compiled by Kiln.\n", ClassName.get(type))
        .addJavadoc("\n<p>$L layers, $L parameters, loss $L, default optimizer $L.\n",
            network.layers().size(), network.parameterCount(), LossEmitter.kerasName(spec.loss()),
            spec.optimizer().kind());
    if (type.getKind() == ElementKind.INTERFACE) {
      model.addSuperinterface(ClassName.get(type));
    } else {
      model.superclass(ClassName.get(type));
    }
    model.addSuperinterface(RuntimeNames.MODEL);
    TypeSpec program = program();
    addCost(model);
    addConstants(model);
    addInfo(model);
    addModelMembers(model);
    model.addType(program);
    if (stepPlan != null) {
      model.addType(new ModelEmitter(stepPlan, true).program());
    }
    return JavaFile.builder(modelName.packageName(), model.build())
        .addFileComment("Generated by Kiln from $L. Do not edit: change the declaration instead.",
            type.getQualifiedName())
        .indent("  ")
        .skipJavaLangImports(true)
        .build();
  }

  /** What the model costs in memory, so a user sees it before constructing one. */
  private void addCost(TypeSpec.Builder model) {
    long perSample = bufferValuesPerSample + targetSize();
    for (LayerPlan input : network.inputs()) {
      perSample += 2 * input.outputShape().size(); // the runtime's input and input-gradient buffers
    }
    long parameterBytes = 4L * network.parameterCount();
    long bufferBytes = 4L * (spec.maxBatch() * perSample + fixedBufferValues);
    model.addJavadoc("\n<p>Memory: $L parameters take $L bytes (their gradients as many again, and the optimizer's "
        + "state up to twice the trainable ones); the buffers for {@code DEFAULT_MAX_BATCH} = $L samples take $L "
        + "bytes ($L values per sample$L), once for the model and once more for each thread that serves it.\n",
        String.format(Locale.ROOT, "%,d", network.parameterCount()), String.format(Locale.ROOT, "%,d", parameterBytes),
        spec.maxBatch(), String.format(Locale.ROOT, "%,d", bufferBytes), String.format(Locale.ROOT, "%,d", perSample),
        (fixedBufferValues == 0 ? "" : String.format(Locale.ROOT, " and %,d for any batch", fixedBufferValues))
            + (sizedAtConstruction ? ", plus scratch sized at construction" : ""));
  }

  /**
   * The value of a buffer size expression that is a product of int literals and constants; 0 (and
   * a note in the javadoc) for one computed at construction, such as a convolution's scratch.
   */
  private long valueOf(String expression) {
    long value = 1;
    for (String factor : expression.split("\\*")) {
      String f = factor.trim();
      Long known = constantValues.get(f);
      if (known == null && !f.matches("\\d+")) {
        sizedAtConstruction = true;
        return 0;
      }
      value *= known != null ? known : Long.parseLong(f);
    }
    return value;
  }

  // ------------------------------------------------------------------ constants and metadata

  private void addConstants(TypeSpec.Builder model) {
    for (LayerPlan input : network.inputs()) {
      model.addField(constant(width(input), (int) input.outputShape().size(), true,
          network.inputs().size() == 1 ? "Values per input sample." : "Values per sample of input " + input.name() + "."));
    }
    model.addField(constant("OUTPUT_SIZE", network.outputSize(), true, "Values per output sample."));
    model.addField(constant("TARGET_SIZE", targetSize(), true, "Values per target sample."));
    model.addField(constant("PARAMETER_COUNT", network.parameterCount(), true, "Parameters of all layers."));
    model.addField(constant("TRAINABLE_PARAMETER_COUNT", network.trainableCount(), true,
        "Trainable parameters: the first this many of the flat array."));
    model.addField(constant("DEFAULT_MAX_BATCH", spec.maxBatch(), true,
        "Largest batch the buffers hold unless the constructor says otherwise."));
    for (LayerPlan layer : network.layers()) {
      model.addField(constant(width(layer), (int) layer.outputShape().size(), false,
          "Values per sample of " + layer.name() + ", shape " + layer.outputShape() + "."));
      for (TensorPlan t : layer.tensors()) {
        Parameter p = t.parameter();
        String doc = "Offset of " + layer.name() + "." + t.suffix() + " " + p.savedShape()
            + (p.permuted() ? ", stored with axes " + Arrays.toString(p.storedOrder())
                + (p.viewed() ? " of its view " + p.permutedShape() : "") : "")
            + (p.trainable() ? "" : ", non-trainable") + ".";
        model.addField(constant(offset(layer, t.suffix()), t.offset(), false, doc));
      }
    }
    model.addFields(extraConstants.values());
  }

  private int targetSize() {
    if (spec.loss() == Loss.SPARSE_CATEGORICAL_CROSSENTROPY) {
      return (int) network.output().outputShape().positions();
    }
    return network.outputSize();
  }

  private static FieldSpec constant(String name, int value, boolean isPublic, String doc) {
    FieldSpec.Builder field = FieldSpec.builder(TypeName.INT, name, Modifier.STATIC, Modifier.FINAL)
        .initializer("$L", value)
        .addJavadoc("$L\n", doc);
    if (isPublic) {
      field.addModifiers(Modifier.PUBLIC);
    }
    return field.build();
  }

  private void addInfo(TypeSpec.Builder model) {
    CodeBlock.Builder info = CodeBlock.builder()
        .add("new $T($S, ", RuntimeNames.NETWORK_INFO, spec.type().getSimpleName().toString())
        .indent().indent()
        .add(infoList(model, network.inputs(), "inputInfos")).add(",\n")
        .add("OUTPUT_SIZE, TARGET_SIZE, $S, $T.$L, ", LossEmitter.infoName(spec),
            RuntimeNames.ACCURACY, LossEmitter.accuracy(spec))
        .add(infoList(model, network.layers(), "layerInfos")).unindent().unindent()
        .add(")");
    model.addField(FieldSpec.builder(RuntimeNames.NETWORK_INFO, "INFO", Modifier.STATIC, Modifier.FINAL)
        .initializer(info.build())
        .build());
  }

  /**
   * {@code List.of(...)} of the nodes' infos; for more than {@link #CHUNK} nodes, a call of a static
   * method that adds them in chunks (one static initializer holds at most 64 KB of bytecode).
   */
  private CodeBlock infoList(TypeSpec.Builder model, List<LayerPlan> nodes, String base) {
    List<CodeBlock> infos = layerInfos(nodes);
    if (infos.size() <= CHUNK) {
      return CodeBlock.of("$T.of($L)", RuntimeNames.LIST, CodeBlock.join(infos, ","));
    }
    TypeName listType = ParameterizedTypeName.get(RuntimeNames.LIST, RuntimeNames.LAYER_INFO);
    String builder = names.newName(base, "method:" + base);
    MethodSpec.Builder all = MethodSpec.methodBuilder(builder)
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
        .returns(listType)
        .addStatement("$T infos = new $T<>($L)", listType, ArrayList.class, infos.size());
    List<CodeBlock> adds = new ArrayList<>();
    for (CodeBlock item : infos) {
      adds.add(CodeBlock.of("infos.add($L)", item));
    }
    addChunked(model, all, adds, base, true, List.of(ParameterSpec.builder(listType, "infos").build()), "infos");
    model.addMethod(all.addStatement("return infos").build());
    return CodeBlock.of("$L()", builder);
  }

  /**
   * Adds {@code statements} to {@code method}: directly when there are at most {@link #CHUNK}, else
   * as calls of private helper methods of {@code owner} ({@code base0}, {@code base1}, ...) with at
   * most {@code CHUNK} statements each, taking {@code parameters} and called with {@code arguments}.
   */
  private void addChunked(TypeSpec.Builder owner, MethodSpec.Builder method, List<CodeBlock> statements, String base,
      boolean isStatic, List<ParameterSpec> parameters, String arguments) {
    if (statements.size() <= CHUNK) {
      statements.forEach(method::addStatement);
      return;
    }
    for (int from = 0; from < statements.size(); from += CHUNK) {
      String name = names.newName(base + (from / CHUNK), "method:" + base + ":" + from);
      MethodSpec.Builder helper = MethodSpec.methodBuilder(name)
          .addModifiers(Modifier.PRIVATE)
          .addParameters(parameters)
          .addJavadoc("$L to $L of $L: one method would exceed the JVM's code size limit.\n", from,
              Math.min(from + CHUNK, statements.size()) - 1, base);
      if (isStatic) {
        helper.addModifiers(Modifier.STATIC);
      }
      statements.subList(from, Math.min(from + CHUNK, statements.size())).forEach(helper::addStatement);
      owner.addMethod(helper.build());
      method.addStatement("$L($L)", name, arguments);
    }
  }

  private List<CodeBlock> layerInfos(List<LayerPlan> nodes) {
    List<CodeBlock> infos = new ArrayList<>();
    for (LayerPlan node : nodes) {
      List<CodeBlock> tensors = new ArrayList<>();
      for (TensorPlan t : node.tensors()) {
        Parameter p = t.parameter();
        CodeBlock order = p.permuted() ? CodeBlock.of(", $L", intArray(p.storedOrder())) : CodeBlock.of("");
        if (!p.savedAs().isEmpty()) {
          List<CodeBlock> parts = new ArrayList<>();
          for (String part : p.savedAs()) {
            parts.add(CodeBlock.of("$S", node.name() + "." + part));
          }
          tensors.add(CodeBlock.of("\n    new $T($S, $L, $L, $L, $L, $T.of($L))", RuntimeNames.TENSOR_SLICE,
              node.name() + "." + t.suffix(), offset(node, t.suffix()), intArray(p.savedShape().toArray()),
              intArray(p.storedOrder()), p.trainable(), RuntimeNames.LIST, CodeBlock.join(parts, ", ")));
          continue;
        }
        CodeBlock rest = p.viewed()
            ? CodeBlock.of(", $L, $L", p.trainable(), intArray(p.permutedShape().toArray()))
            : CodeBlock.of("$L", p.trainable() ? "" : ", false");
        tensors.add(CodeBlock.of("\n    new $T($S, $L, $L$L$L)", RuntimeNames.TENSOR_SLICE,
            node.name() + "." + t.suffix(), offset(node, t.suffix()), intArray(p.savedShape().toArray()), order,
            rest));
      }
      List<CodeBlock> inputs = new ArrayList<>();
      for (LayerPlan in : node.inputs()) {
        inputs.add(CodeBlock.of("$S", in.name()));
      }
      infos.add(CodeBlock.of("\nnew $T($S, $S, $T.of($L), $T.of($L), $T.of($L), $S)", RuntimeNames.LAYER_INFO,
          node.name(), node.spec().typeName(), RuntimeNames.SHAPE, dims(node.outputShape().toArray()),
          RuntimeNames.LIST, CodeBlock.join(inputs, ", "), RuntimeNames.LIST, CodeBlock.join(tensors, ","),
          node.spec().activation().function().name().toLowerCase(Locale.ROOT)));
    }
    return infos;
  }

  private static CodeBlock intArray(int[] values) {
    return CodeBlock.of("new int[] {$L}", dims(values));
  }

  private static CodeBlock dims(int[] values) {
    List<CodeBlock> items = new ArrayList<>();
    for (int v : values) {
      items.add(CodeBlock.of("$L", v));
    }
    return CodeBlock.join(items, ", ");
  }

  // ------------------------------------------------------------------ the user-facing class

  private void addModelMembers(TypeSpec.Builder model) {
    model.addField(RuntimeNames.MODEL_CORE, "core", Modifier.PRIVATE, Modifier.FINAL);
    // Assigned in helper methods when there are many: then the fields cannot be final.
    boolean chunked = network.layers().size() > CHUNK;
    for (LayerPlan layer : network.layers()) {
      if (chunked) {
        model.addField(RuntimeNames.LAYER, handle(layer), Modifier.PRIVATE);
      } else {
        model.addField(RuntimeNames.LAYER, handle(layer), Modifier.PRIVATE, Modifier.FINAL);
      }
    }
    model.addMethod(MethodSpec.constructorBuilder()
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc("A model with weights drawn from seed {@link $T#DEFAULT_SEED}.\n", RuntimeNames.MODEL)
        .addStatement("this($T.DEFAULT_SEED, DEFAULT_MAX_BATCH)", RuntimeNames.MODEL)
        .build());
    model.addMethod(MethodSpec.constructorBuilder()
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc("A model with weights drawn from {@code seed}.\n")
        .addParameter(TypeName.LONG, "seed")
        .addStatement("this(seed, DEFAULT_MAX_BATCH)")
        .build());
    MethodSpec.Builder main = MethodSpec.constructorBuilder()
        .addModifiers(Modifier.PUBLIC)
        .addJavadoc("A model with weights drawn from {@code seed} and buffers for batches of up to {@code maxBatch}.\n")
        .addParameter(TypeName.LONG, "seed")
        .addParameter(TypeName.INT, "maxBatch")
        .addStatement("this.core = new $T(new Program(maxBatch, null), Program::new, $L$L, seed)",
            RuntimeNames.MODEL_CORE, stepping(), optimizer());
    List<CodeBlock> handles = new ArrayList<>();
    for (LayerPlan layer : network.layers()) {
      handles.add(CodeBlock.of("this.$L = core.layer($S)", handle(layer), layer.name()));
    }
    addChunked(model, main, handles, "handles", false, List.of(), "");
    if (spec.weights() != null) {
      main.addComment("Build-time weights (@Weights), checked against the declaration when compiled");
      main.addStatement("core.loadResource($T.class, $S)", modelName, spec.weights());
    }
    model.addMethod(main.build());
    for (LayerPlan node : network.nodes()) {
      if (node.spec().site().element() instanceof ExecutableElement method) {
        model.addMethod(accessor(node, method));
      }
    }
    model.addMethod(MethodSpec.methodBuilder("core")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(RuntimeNames.MODEL_CORE)
        .addStatement("return core")
        .build());
  }

  private String handle(LayerPlan layer) {
    return names.get(key(layer, "handle"));
  }

  /** The declared layer method: a layer's handle; an {@code @Input} method returns null (no layer). */
  private MethodSpec accessor(LayerPlan node, ExecutableElement method) {
    MethodSpec.Builder accessor = MethodSpec.methodBuilder(node.name())
        .addAnnotation(Override.class)
        .returns(RuntimeNames.LAYER);
    Set<Modifier> modifiers = method.getModifiers();
    if (modifiers.contains(Modifier.PUBLIC) || spec.type().getKind() == ElementKind.INTERFACE) {
      accessor.addModifiers(Modifier.PUBLIC);
    } else if (modifiers.contains(Modifier.PROTECTED)) {
      accessor.addModifiers(Modifier.PROTECTED);
    }
    for (var p : method.getParameters()) {
      accessor.addParameter(RuntimeNames.LAYER, p.getSimpleName().toString());
    }
    if (node.isInput()) {
      return accessor.addJavadoc("An input has no parameters and no handle.\n").addStatement("return null").build();
    }
    return accessor.addStatement("return $L", handle(node)).build();
  }

  /** The step support argument of ModelCore's constructor; nothing for a network without recurrent layers. */
  private CodeBlock stepping() {
    if (stepPlan != null) {
      return CodeBlock.of("$T.of(StepProgram::new), ", RuntimeNames.STEP_SUPPORT);
    }
    if (stepRefusal != null) {
      return CodeBlock.of("$T.refused($S), ", RuntimeNames.STEP_SUPPORT, stepRefusal);
    }
    return CodeBlock.of("");
  }

  private CodeBlock optimizer() {
    OptimizerSpec optimizer = spec.optimizer();
    List<CodeBlock> args = new ArrayList<>();
    args.add(CodeBlock.of("TRAINABLE_PARAMETER_COUNT"));
    for (OptimizerSpec.Hyperparameter h : optimizer.hyperparameters()) {
      args.add(CodeBlock.of("$Lf", (float) h.value()));
    }
    String factory = Character.toLowerCase(optimizer.kind().charAt(0)) + optimizer.kind().substring(1);
    return CodeBlock.of("$T.$L($L)", RuntimeNames.OPTIMIZERS, factory, CodeBlock.join(args, ", "));
  }

  // ------------------------------------------------------------------ the passes

  private TypeSpec program() {
    TypeSpec.Builder program = TypeSpec.classBuilder(stepProgram ? "StepProgram" : "Program")
        .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
        .superclass(stepProgram ? RuntimeNames.STEP_NETWORK : RuntimeNames.COMPILED_NETWORK)
        .addJavadoc(stepProgram
            ? "One time step of the network for up to {@code maxBatch} sequences ({@code ModelCore.step}): the layers\n"
                + "planned for a sequence of length 1, the recurrent layers starting from the carried states and writing\n"
                + "them back. Forward only, at inference, on the model's parameters.\n"
            : "Buffers for batches of up to {@code maxBatch} samples and the passes over them.\n")
        .addField(FieldSpec.builder(RuntimeNames.GEMM, "GEMM", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .initializer("$T.ACTIVE", RuntimeNames.GEMM)
            .build())
        .addField(FieldSpec.builder(RuntimeNames.ELEMENTWISE, "K", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .initializer("$T.ACTIVE", RuntimeNames.ELEMENTWISE)
            .build());
    List<CodeBlock> inputAssignments = new ArrayList<>();
    List<LayerPlan> inputs = network.inputs();
    for (int i = 0; i < inputs.size(); i++) {
      program.addField(FLOATS, out(inputs.get(i)), Modifier.PRIVATE, Modifier.FINAL);
      inputAssignments.add(CodeBlock.of("$L = inputBuffers[$L]", out(inputs.get(i)), i));
      if (!stepProgram) {
        program.addField(FLOATS, grad(inputs.get(i)), Modifier.PRIVATE, Modifier.FINAL);
        inputAssignments.add(CodeBlock.of("$L = inputGradientBuffers[$L]", grad(inputs.get(i)), i));
      }
    }
    // Emit the passes first: emitters allocate the names of their extra buffers as they go.
    List<MethodSpec> layerMethods = new ArrayList<>();
    MethodSpec.Builder forward = MethodSpec.methodBuilder("forward")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .addParameter(TypeName.INT, "n")
        .addParameter(TypeName.BOOLEAN, "training");
    List<CodeBlock> forwardCalls = new ArrayList<>();
    for (LayerPlan layer : network.layers()) {
      String method = member(layer, "Forward");
      forwardCalls.add(CodeBlock.of("$L(n, training)", method));
      layerMethods.add(layerMethod(method, layer, "forward", emitter(layer).forward(context(layer))));
    }
    addChunked(program, forward, forwardCalls, "forwardLayers", false,
        List.of(ParameterSpec.builder(TypeName.INT, "n").build(),
            ParameterSpec.builder(TypeName.BOOLEAN, "training").build()), "n, training");
    if (stepProgram) {
      return stepProgram(program, inputAssignments, forward, layerMethods);
    }
    MethodSpec.Builder backward = MethodSpec.methodBuilder("backward")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .returns(TypeName.DOUBLE)
        .addParameter(TypeName.INT, "n")
        .addStatement("double loss = lossGradient ? $L : 0", LossEmitter.call(this, network, true));
    List<LayerPlan> layers = network.layers();
    List<CodeBlock> backwardCalls = new ArrayList<>();
    for (int i = layers.size() - 1; i >= 0; i--) {
      LayerPlan layer = layers.get(i);
      String method = member(layer, "Backward");
      backwardCalls.add(CodeBlock.of("$L(n)", method));
      layerMethods.add(layerMethod(method, layer, "backward", emitter(layer).backward(context(layer))));
    }
    addChunked(program, backward, backwardCalls, "backwardLayers", false,
        List.of(ParameterSpec.builder(TypeName.INT, "n").build()), "n");
    List<CodeBlock> penaltyTerms = new ArrayList<>();
    for (LayerPlan layer : layers) {
      CodeBlock penalty = penalties(layer, true);
      if (penalty != null) {
        penaltyTerms.add(penalty);
      }
    }
    if (penaltyTerms.size() <= CHUNK) {
      penaltyTerms.forEach(p -> backward.addStatement("loss += $L", p));
    } else {
      backward.addStatement("loss += $L()", penaltySum(program, penaltyTerms, "penaltiesWithGradients"));
    }
    List<Buffer> buffers = new ArrayList<>();
    for (LayerPlan layer : layers) {
      program.addFields(emitter(layer).constants(context(layer)));
      buffers.addAll(emitter(layer).buffers(context(layer)));
      buffers.addAll(scratchBuffers(layer));
    }
    // Assigned in helper methods when there are many: then the fields cannot be final.
    boolean chunked = buffers.size() > CHUNK;
    List<CodeBlock> allocations = new ArrayList<>();
    for (Buffer buffer : buffers) {
      allocations.add(addBuffer(program, buffer, chunked));
      if (buffer.batched()) {
        bufferValuesPerSample += valueOf(buffer.size());
      } else if (!buffer.isView()) {
        fixedBufferValues += valueOf(buffer.size());
      }
    }
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder()
        .addJavadoc("With {@code sharedParams}, a read-only inference copy of another program's weights.\n")
        .addParameter(TypeName.INT, "maxBatch")
        .addParameter(FLOATS, "sharedParams")
        .addStatement("super(INFO, maxBatch, sharedParams)");
    inputAssignments.forEach(constructor::addStatement);
    addChunked(program, constructor, allocations, "allocate", false,
        List.of(ParameterSpec.builder(TypeName.INT, "maxBatch").build()), "maxBatch");
    program.addMethod(constructor.build());
    program.addMethod(MethodSpec.methodBuilder("info")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(RuntimeNames.NETWORK_INFO)
        .addStatement("return INFO")
        .build());
    program.addMethod(initialize(program));
    program.addMethod(forward.build());
    program.addMethod(MethodSpec.methodBuilder("output")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .returns(FLOATS)
        .addStatement("return $L", out(network.output()))
        .build());
    program.addMethod(MethodSpec.methodBuilder("outputGradient")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .returns(FLOATS)
        .addStatement("return $L", grad(network.output()))
        .build());
    program.addMethod(layerOutputs());
    program.addMethod(MethodSpec.methodBuilder("loss")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .returns(TypeName.DOUBLE)
        .addParameter(TypeName.INT, "n")
        .addStatement("return $L", lossWithPenalties(program))
        .build());
    program.addMethod(backward.addStatement("return loss").build());
    program.addMethods(layerMethods);
    return program.build();
  }

  /**
   * The rest of the step program: its own width constants (one time step's, hiding the declared
   * sequence's), the buffers, a constructor on the model's parameters and the forward pass.
   */
  private TypeSpec stepProgram(TypeSpec.Builder program, List<CodeBlock> inputAssignments, MethodSpec.Builder forward,
      List<MethodSpec> layerMethods) {
    for (LayerPlan node : network.nodes()) {
      program.addField(FieldSpec.builder(TypeName.INT, width(node), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
          .initializer("$L", node.outputShape().size())
          .addJavadoc("Values per sequence of $L at one time step, shape $L.\n", node.name(), node.outputShape())
          .build());
    }
    // Only the buffers the forward pass names: the step program has no backward pass.
    StringBuilder forwardCode = new StringBuilder();
    layerMethods.forEach(m -> forwardCode.append(m.code()).append('\n'));
    List<Buffer> buffers = new ArrayList<>();
    for (LayerPlan layer : network.layers()) {
      program.addFields(emitter(layer).constants(context(layer)));
      for (Buffer buffer : emitter(layer).buffers(context(layer))) {
        if (java.util.regex.Pattern.compile("\\b" + java.util.regex.Pattern.quote(buffer.name()) + "\\b").matcher(forwardCode).find()) {
          buffers.add(buffer);
        }
      }
    }
    program.addFields(extraConstants.values());
    boolean chunked = buffers.size() > CHUNK;
    List<CodeBlock> allocations = new ArrayList<>();
    for (Buffer buffer : buffers) {
      allocations.add(addBuffer(program, buffer, chunked));
    }
    List<CodeBlock> inputWidths = new ArrayList<>();
    for (LayerPlan input : network.inputs()) {
      inputWidths.add(CodeBlock.of("$L", width(input)));
    }
    List<CodeBlock> stateWidths = new ArrayList<>();
    carriedStates.values().forEach(w -> stateWidths.add(CodeBlock.of("$L", w)));
    MethodSpec.Builder constructor = MethodSpec.constructorBuilder()
        .addJavadoc("On the model's parameters {@code params}, which it only reads. Carried states: $L.\n",
            String.join(", ", carriedStates.keySet()))
        .addParameter(TypeName.INT, "maxBatch")
        .addParameter(FLOATS, "params")
        .addStatement("super(INFO, new int[] {$L}, $L, new int[] {$L}, maxBatch, params)",
            CodeBlock.join(inputWidths, ", "), width(network.output()), CodeBlock.join(stateWidths, ", "));
    inputAssignments.forEach(constructor::addStatement);
    addChunked(program, constructor, allocations, "allocate", false,
        List.of(ParameterSpec.builder(TypeName.INT, "maxBatch").build()), "maxBatch");
    program.addMethod(constructor.build());
    program.addMethod(MethodSpec.methodBuilder("info")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PUBLIC)
        .returns(RuntimeNames.NETWORK_INFO)
        .addStatement("return INFO")
        .build());
    program.addMethod(forward.build());
    program.addMethod(MethodSpec.methodBuilder("output")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .returns(FLOATS)
        .addStatement("return $L", out(network.output()))
        .build());
    program.addMethod(layerOutputs());
    program.addMethods(layerMethods);
    return program.build();
  }

  private MethodSpec layerOutputs() {
    List<LayerPlan> layers = network.layers();
    CodeBlock.Builder outputs = CodeBlock.builder().beginControlFlow("switch (index)");
    for (int i = 0; i < layers.size(); i++) {
      outputs.add("case $L:\n$>return $L;\n$<", i, out(layers.get(i)));
    }
    outputs.add("default:\n$>throw new $T($S + index);\n$<", IndexOutOfBoundsException.class, "no layer ")
        .endControlFlow();
    return MethodSpec.methodBuilder("layerOutput")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .returns(FLOATS)
        .addParameter(TypeName.INT, "index")
        .addJavadoc("Layer outputs by position, for the training diagnostics (not on the hot path).\n")
        .addCode(outputs.build())
        .build();
  }

  /** Declares the buffer's field and returns the statement that assigns it. */
  private static CodeBlock addBuffer(TypeSpec.Builder program, Buffer buffer, boolean assignedInHelpers) {
    TypeName type = buffer.ints() ? INTS : FLOATS;
    if (buffer.isView()) {
      program.addField(type, buffer.name(), Modifier.PRIVATE);
      return CodeBlock.of("$L = $L", buffer.name(), buffer.viewOf());
    }
    if (assignedInHelpers) {
      program.addField(type, buffer.name(), Modifier.PRIVATE);
    } else {
      program.addField(type, buffer.name(), Modifier.PRIVATE, Modifier.FINAL);
    }
    if (!buffer.batched()) {
      return CodeBlock.of("$L = new $T[$L]", buffer.name(), buffer.ints() ? int.class : float.class, buffer.size());
    }
    if (buffer.ints()) {
      return CodeBlock.of("$L = new int[$T.multiplyExact(maxBatch, $L)]", buffer.name(), Math.class, buffer.size());
    }
    return CodeBlock.of("$L = $L(maxBatch, $L)", buffer.name(), buffer.trainingOnly() ? "gradientBuffer" : "batchBuffer",
        buffer.size());
  }

  /**
   * A method of {@code program} returning the sum of {@code terms}, summed in chunk methods of at
   * most {@link #CHUNK} terms each; returns its name.
   */
  private String penaltySum(TypeSpec.Builder program, List<CodeBlock> terms, String base) {
    String name = names.newName(base, "method:" + base);
    MethodSpec.Builder sum = MethodSpec.methodBuilder(name)
        .addModifiers(Modifier.PRIVATE)
        .returns(TypeName.DOUBLE)
        .addStatement("double sum = 0");
    for (int from = 0; from < terms.size(); from += CHUNK) {
      String part = names.newName(base + (from / CHUNK), "method:" + base + ":" + from);
      MethodSpec.Builder helper = MethodSpec.methodBuilder(part)
          .addModifiers(Modifier.PRIVATE)
          .returns(TypeName.DOUBLE)
          .addStatement("double sum = 0");
      terms.subList(from, Math.min(from + CHUNK, terms.size())).forEach(t -> helper.addStatement("sum += $L", t));
      program.addMethod(helper.addStatement("return sum").build());
      sum.addStatement("sum += $L()", part);
    }
    program.addMethod(sum.addStatement("return sum").build());
    return name;
  }

  /** Scratch buffers for the edges whose input another reader also writes a gradient share to. */
  private List<Buffer> scratchBuffers(LayerPlan layer) {
    List<Buffer> buffers = new ArrayList<>();
    for (int i = 0; i < layer.inputs().size(); i++) {
      LayerPlan input = layer.inputs().get(i);
      if (!writesFirst(layer, input) && !addsDirectly.contains(key(layer, "in" + i))) {
        buffers.add(Buffer.gradient(gradientTarget(layer, i), width(input)));
      }
    }
    return buffers;
  }

  private LayerEmitter emitter(LayerPlan layer) {
    return layer.spec().emitter();
  }

  LayerContext context(LayerPlan layer) {
    return new LayerContext(this, layer);
  }

  /** Fills the parameters from each tensor's initializer, in layer and save order. */
  private MethodSpec initialize(TypeSpec.Builder program) {
    MethodSpec.Builder initialize = MethodSpec.methodBuilder("initialize")
        .addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED)
        .addParameter(RuntimeNames.SPLITTABLE_RANDOM, "random");
    List<CodeBlock> statements = new ArrayList<>();
    for (LayerPlan layer : network.layers()) {
      for (TensorPlan t : layer.tensors()) {
        statements.add(initializer(t.parameter(), offset(layer, t.suffix())));
      }
      CodeBlock after = emitter(layer).afterInitialize(context(layer));
      if (after != null) {
        statements.add(after);
      }
    }
    addChunked(program, initialize, statements, "initializeTensors", false,
        List.of(ParameterSpec.builder(RuntimeNames.SPLITTABLE_RANDOM, "random").build()), "random");
    return initialize.build();
  }

  private static CodeBlock initializer(Parameter p, String offset) {
    long count = p.savedShape().size();
    switch (p.init()) {
      case HE_NORMAL:
        return CodeBlock.of("$T.heNormal(random, params, $L, $L, $L)", RuntimeNames.INITIALIZERS, offset, count, p.fanIn());
      case HE_UNIFORM:
        return CodeBlock.of("$T.heUniform(random, params, $L, $L, $L)", RuntimeNames.INITIALIZERS, offset, count, p.fanIn());
      case LECUN_NORMAL:
        return CodeBlock.of("$T.lecunNormal(random, params, $L, $L, $L)", RuntimeNames.INITIALIZERS, offset, count,
            p.fanIn());
      case GLOROT_NORMAL:
        return CodeBlock.of("$T.glorotNormal(random, params, $L, $L, $L, $L)", RuntimeNames.INITIALIZERS, offset,
            count, p.fanIn(), p.fanOut());
      case GLOROT_UNIFORM:
        return CodeBlock.of("$T.glorotUniform(random, params, $L, $L, $L, $L)", RuntimeNames.INITIALIZERS, offset,
            count, p.fanIn(), p.fanOut());
      case ZEROS:
        return CodeBlock.of("$T.constant(params, $L, $L, 0f)", RuntimeNames.INITIALIZERS, offset, count);
      case ONES:
        return CodeBlock.of("$T.constant(params, $L, $L, 1f)", RuntimeNames.INITIALIZERS, offset, count);
              case UNIFORM:
        return CodeBlock.of("$T.randomUniform(random, params, $L, $L)", RuntimeNames.INITIALIZERS, offset, count);
      case ORTHOGONAL: {
        Shape stored = p.storedShape();
        return CodeBlock.of("$T.orthogonal(random, params, $L, $L, $L)", RuntimeNames.INITIALIZERS, offset,
            count / stored.last(), stored.last());
      }
      case CONSTANT:
        return CodeBlock.of("$T.constant(params, $L, $L, $Lf)", RuntimeNames.INITIALIZERS, offset, count,
            (float) p.initValue());
      default:
        throw new IllegalStateException("no initializer code for " + p.init());
    }
  }

  /** The loss plus every regularizer's penalty (Keras reports them together). */
  private CodeBlock lossWithPenalties(TypeSpec.Builder program) {
    CodeBlock.Builder code = CodeBlock.builder().add("$L", LossEmitter.call(this, network, false));
    List<CodeBlock> terms = new ArrayList<>();
    for (LayerPlan layer : network.layers()) {
      CodeBlock penalty = penalties(layer, false);
      if (penalty != null) {
        terms.add(penalty);
      }
    }
    if (terms.size() > CHUNK) {
      return code.add(" + $L()", penaltySum(program, terms, "penalties")).build();
    }
    for (CodeBlock term : terms) {
      code.add("\n    + $L", term);
    }
    return code.build();
  }

  /** A layer's regularizer penalties (adding their gradients when asked), or null. */
  private CodeBlock penalties(LayerPlan layer, boolean withGradient) {
    List<CodeBlock> terms = new ArrayList<>();
    for (TensorPlan t : layer.tensors()) {
      Parameter p = t.parameter();
      if (p.regularized()) {
        terms.add(CodeBlock.of("$T.elasticNet(params, $L, $L, $Lf, $Lf, $L)", RuntimeNames.REGULARIZERS,
            offset(layer, t.suffix()), t.size(), (float) p.l1(), (float) p.l2(),
            withGradient ? "parameterGradients ? grads : null" : "null"));
      }
    }
    return terms.isEmpty() ? null : CodeBlock.join(terms, " + ");
  }

  private static MethodSpec layerMethod(String name, LayerPlan layer, String pass, CodeBlock body) {
    MethodSpec.Builder method = MethodSpec.methodBuilder(name)
        .addModifiers(Modifier.PRIVATE)
        .addParameter(TypeName.INT, "n");
    if (pass.equals("forward")) {
      method.addParameter(TypeName.BOOLEAN, "training");
    }
    return method
        .addJavadoc("$L pass of $L: $L.\n", Character.toUpperCase(pass.charAt(0)) + pass.substring(1),
            layer.name(), describe(layer))
        .addCode(body)
        .build();
  }

  private static String describe(LayerPlan layer) {
    List<String> inputs = new ArrayList<>();
    for (LayerPlan in : layer.inputs()) {
      inputs.add(in.name() + " " + in.outputShape());
    }
    return layer.spec().typeName() + " of " + String.join(", ", inputs) + " -> " + layer.outputShape();
  }
}
