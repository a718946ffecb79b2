package dev.kiln.processor.layers;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import dev.kiln.annotations.Conv2D;
import dev.kiln.annotations.Initializer;
import dev.kiln.annotations.Padding;
import dev.kiln.processor.Diagnostics;
import dev.kiln.processor.Message;
import dev.kiln.processor.emit.ActivationCalls;
import dev.kiln.processor.emit.Buffer;
import dev.kiln.processor.emit.LayerContext;
import dev.kiln.processor.emit.LayerEmitter;
import dev.kiln.processor.emit.RuntimeNames;
import dev.kiln.processor.model.ActivationSpec;
import dev.kiln.processor.model.LayerDeclaration;
import dev.kiln.processor.model.LayerSpec;
import dev.kiln.processor.model.Parameter;
import dev.kiln.processor.model.Shape;
import dev.kiln.processor.model.Site;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * {@code @Conv2D}: y = activation(conv(x, W) + b) on channels-last images [H, W, C] (Keras's
 * Conv2D). W is saved as PyTorch's Conv2d weight [filters, C, kh, kw] and stored [kh, kw, C,
 * filters] (storedOrder {2, 3, 1, 0}): a [kh * kw * C x filters] matrix, so the forward pass is an
 * im2col product and batch-1 prediction streams rows of W. The kernel is {@code
 * runtime/.../kernels/Convolution}.
 */
public record Conv2DLayer(
    String name, Site site, List<String> inputs, int filters, int[] kernelSize, int[] strides, Padding padding,
    int[] dilation, ActivationSpec activation, Initializer kernelInit, double kernelInitValue, double kernelL1,
    double kernelL2, boolean useBias, Initializer biasInit, double biasInitValue, boolean trainable)
    implements LayerSpec {
  public Conv2DLayer {
    inputs = List.copyOf(inputs);
    kernelSize = kernelSize.clone();
    strides = strides.clone();
    dilation = dilation.clone();
  }

  static Conv2DLayer read(LayerDeclaration d) {
    Conv2D a = d.annotation(Conv2D.class);
    return new Conv2DLayer(d.name(), d.site(), d.inputs(), a.filters(), a.kernelSize(), a.strides(), a.padding(),
        a.dilation(), ActivationSpec.of(a.activation(), a.alpha(), a.temperature()), a.kernelInit(),
        a.kernelInitValue(), a.kernelL1(), a.kernelL2(), a.useBias(), a.biasInit(), a.biasInitValue(),
        a.trainable());
  }

  @Override
  public String typeName() {
    return "Conv2D";
  }

  @Override
  public void check(Diagnostics diagnostics) {
    if (filters <= 0) {
      diagnostics.error(site, "filters", Message.CONV_FILTERS, filters);
    }
    Windows.checkPair(site, "Conv2D", "kernelSize", kernelSize, diagnostics);
    Windows.checkPair(site, "Conv2D", "strides", strides, diagnostics);
    Windows.checkPair(site, "Conv2D", "dilation", dilation, diagnostics);
    Initializers.check(site, "kernelInitValue", kernelInit, kernelInitValue, diagnostics);
    Initializers.check(site, "biasInitValue", biasInit, biasInitValue, diagnostics);
    for (String attribute : new String[] {"kernelL1", "kernelL2"}) {
      double strength = attribute.equals("kernelL1") ? kernelL1 : kernelL2;
      if (!(strength >= 0 && Double.isFinite(strength))) {
        diagnostics.error(site, attribute, Message.CONV_REGULARIZER, attribute, strength);
      }
    }
    activation.check(site, diagnostics);
  }

  /** The geometry for an input shape: {out h, out w, pad top, pad left}. */
  private int[] geometry(Shape image) {
    int[] k = Windows.pair(kernelSize);
    int[] s = Windows.pair(strides);
    int[] d = Windows.pair(dilation);
    Windows.Axis y = Windows.Axis.of(image.dim(0), d[0] * (k[0] - 1) + 1, s[0], padding);
    Windows.Axis x = Windows.Axis.of(image.dim(1), d[1] * (k[1] - 1) + 1, s[1], padding);
    return new int[] {y.out(), x.out(), y.padBefore(), x.padBefore()};
  }

  @Override
  public Shape outputShape(List<Shape> in, Diagnostics diagnostics) {
    Shape image = Windows.image(site, "Conv2D", name, in, diagnostics);
    if (image == null) {
      return null;
    }
    int[] g = geometry(image);
    if (g[0] <= 0 || g[1] <= 0) {
      int[] k = Windows.pair(kernelSize);
      int[] d = Windows.pair(dilation);
      diagnostics.error(site, "kernelSize", Message.CONV_KERNEL, name, image, d[0] * (k[0] - 1) + 1,
          d[1] * (k[1] - 1) + 1, Windows.text(k), Windows.text(d), image.dim(0), image.dim(1), padding);
      return null;
    }
    return Shape.of(g[0], g[1], filters);
  }

  @Override
  public List<Parameter> parameters(List<Shape> in) {
    int channels = in.get(0).last();
    int[] k = Windows.pair(kernelSize);
    long area = (long) k[0] * k[1];
    List<Parameter> tensors = new ArrayList<>();
    tensors.add(new Parameter("weight", Shape.of(filters, channels, k[0], k[1]), new int[] {2, 3, 1, 0}, trainable,
        kernelInit, kernelInitValue, area * channels, area * filters, kernelL1, kernelL2));
    if (useBias) {
      tensors.add(new Parameter("bias", Shape.of(filters), new int[] {0}, trainable, biasInit, biasInitValue,
          area * channels, area * filters, 0, 0));
    }
    return tensors;
  }

  @Override
  public LayerEmitter emitter() {
    return new ConvEmitter();
  }

  /**
   * Forward: the convolution into the pre-activation, the bias add and the activation over [n * OH
   * * OW x filters]. Backward: the activation's derivative, dW and db, then dX. One scratch buffer
   * (a block of patches) serves all three convolution passes, which never overlap.
   */
  private final class ConvEmitter implements LayerEmitter {
    private String pre(LayerContext layer) {
      return activation.isLinear() ? layer.out() : layer.member("Pre");
    }

    private String preGrad(LayerContext layer) {
      return activation.isLinear() ? layer.grad() : layer.member("PreGrad");
    }

    private String geometry(LayerContext layer) {
      return layer.member("Geometry");
    }

    @Override
    public List<FieldSpec> constants(LayerContext layer) {
      Shape image = layer.inShape(0);
      int[] g = Conv2DLayer.this.geometry(image);
      int[] k = Windows.pair(kernelSize);
      int[] s = Windows.pair(strides);
      int[] d = Windows.pair(dilation);
      return List.of(FieldSpec.builder(RuntimeNames.CONVOLUTION, geometry(layer), Modifier.PRIVATE, Modifier.STATIC,
              Modifier.FINAL)
          .addJavadoc("$L: $L -> $L, kernel $Lx$L, strides $Lx$L, dilation $Lx$L, padding top $L, left $L.\n",
              name, image, layer.layer().outputShape(), k[0], k[1], s[0], s[1], d[0], d[1], g[2], g[3])
          .initializer("new $T($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", RuntimeNames.CONVOLUTION,
              image.dim(0), image.dim(1), image.dim(2), filters, k[0], k[1], s[0], s[1], d[0], d[1], g[2], g[3], g[0],
              g[1])
          .build());
    }

    @Override
    public List<Buffer> buffers(LayerContext layer) {
      List<Buffer> buffers = new ArrayList<>(LayerEmitter.super.buffers(layer));
      if (!activation.isLinear()) {
        buffers.add(Buffer.perSample(pre(layer), layer.width()));
        buffers.add(Buffer.perSample(preGrad(layer), layer.width()));
      }
      buffers.add(Buffer.fixed(layer.member("Patches"), geometry(layer) + ".scratchSize(maxBatch)"));
      return buffers;
    }

    @Override
    public CodeBlock forward(LayerContext layer) {
      String pre = pre(layer);
      CodeBlock.Builder code = CodeBlock.builder();
      code.add("$L.forward(n, $L, params, $L, $L, $L);\n", geometry(layer), layer.in(0), layer.offset("weight"), pre,
          layer.member("Patches"));
      if (useBias) {
        code.add("K.addRowVector($L, $L, params, $L, $L, 0);\n", layer.rows(), layer.features(), layer.offset("bias"),
            pre);
      }
      if (!activation.isLinear()) {
        code.add(ActivationCalls.forward(activation, layer.rows(), layer.features(), pre, layer.out()));
      }
      return code.build();
    }

    @Override
    public CodeBlock backward(LayerContext layer) {
      String preGrad = preGrad(layer);
      CodeBlock.Builder code = CodeBlock.builder();
      CodeBlock derivative = activation.isLinear() ? null
          : ActivationCalls.backward(activation, layer.rows(), layer.features(), pre(layer), layer.out(),
              layer.grad(), preGrad);
      if (layer.lossFused()) {
        code.beginControlFlow("if (!lossGradient)").add(derivative).endControlFlow();
      } else if (derivative != null) {
        code.add(derivative);
      }
      CodeBlock.Builder parameters = CodeBlock.builder();
      parameters.add("$L.weightGradient(n, $L, $L, grads, $L, false, $L);\n", geometry(layer), layer.in(0), preGrad,
          layer.offset("weight"), layer.member("Patches"));
      if (useBias) {
        parameters.add("K.sumColumns($L, $L, $L, 0, grads, $L, false);\n", layer.rows(), layer.features(), preGrad,
            layer.offset("bias"));
      }
      code.add(layer.parameterGradients(parameters.build()));
      code.add(layer.inputGradient(0, target -> CodeBlock.of("$L.inputGradient(n, $L, params, $L, $L, $L);\n",
          geometry(layer), preGrad, layer.offset("weight"), target, layer.member("Patches"))));
      return code.build();
    }

    @Override
    public String[] fusedLogits(LayerContext layer) {
      return new String[] {pre(layer), preGrad(layer)};
    }
  }
}
