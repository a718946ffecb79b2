package dev.kiln.processor.emit;

import com.palantir.javapoet.ClassName;

/**
 * Every runtime type generated code names. The processor does not depend on the runtime, so the
 * names are spelled here once; a test loads each one from the runtime to prove it exists.
 */
public final class RuntimeNames {
  static final String RUNTIME = "dev.kiln.runtime";
  /** What only generated code calls: the runtime's SPI. */
  static final String INTERNAL = RUNTIME + ".internal";

  public static final ClassName MODEL = ClassName.get(RUNTIME, "Model");
  public static final ClassName MODEL_CORE = ClassName.get(RUNTIME, "ModelCore");
  public static final ClassName LAYER = ClassName.get(RUNTIME, "Layer");
  public static final ClassName SHAPE = ClassName.get(RUNTIME, "Shape");
  public static final ClassName COMPILED_NETWORK = ClassName.get(INTERNAL, "CompiledNetwork");
  public static final ClassName STEP_NETWORK = ClassName.get(INTERNAL, "StepNetwork");
  public static final ClassName STEP_SUPPORT = ClassName.get(INTERNAL, "StepSupport");
  public static final ClassName NETWORK_INFO = ClassName.get(INTERNAL, "NetworkInfo");
  public static final ClassName LAYER_INFO = ClassName.get(INTERNAL, "LayerInfo");
  public static final ClassName TENSOR_SLICE = ClassName.get(INTERNAL, "TensorSlice");
  public static final ClassName ACCURACY = ClassName.get(INTERNAL, "Accuracy");
  public static final ClassName LOSSES = ClassName.get(INTERNAL, "Losses");
  public static final ClassName REGULARIZERS = ClassName.get(INTERNAL, "Regularizers");
  public static final ClassName INITIALIZERS = ClassName.get(INTERNAL, "Initializers");
  public static final ClassName GEMM = ClassName.get(RUNTIME + ".kernels", "Gemm");
  public static final ClassName ELEMENTWISE = ClassName.get(RUNTIME + ".kernels", "Elementwise");
  public static final ClassName EMBEDDINGS = ClassName.get(RUNTIME + ".kernels", "Embeddings");
  public static final ClassName RECURRENT = ClassName.get(RUNTIME + ".kernels", "Recurrent");
  public static final ClassName NOISE = ClassName.get(RUNTIME + ".kernels", "Noise");
  public static final ClassName NORMALIZATION = ClassName.get(RUNTIME + ".kernels", "Normalization");
  public static final ClassName CONVOLUTION = ClassName.get(RUNTIME + ".kernels", "Convolution");
  public static final ClassName POOLING = ClassName.get(RUNTIME + ".kernels", "Pooling");
  public static final ClassName AUGMENTATION = ClassName.get(RUNTIME + ".kernels", "Augmentation");
  public static final ClassName AUGMENTATION_FILL = AUGMENTATION.nestedClass("Fill");
  public static final ClassName OPTIMIZERS = ClassName.get(RUNTIME + ".optim", "Optimizers");
  public static final ClassName SPLITTABLE_RANDOM = ClassName.get("java.util", "SplittableRandom");
  public static final ClassName LIST = ClassName.get("java.util", "List");

  private RuntimeNames() {}
}
