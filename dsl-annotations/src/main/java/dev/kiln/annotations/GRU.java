package dev.kiln.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A gated recurrent unit (Keras's {@code GRU} with {@code reset_after = True}, which is PyTorch's
 * {@code nn.GRU}) over a sequence [time, features]: r = σ(x W_ir + b_ir + h W_hr + b_hr), z likewise,
 * n = activation(x W_in + b_in + r (h W_hn + b_hn)), h' = (1 - z) n + z h, σ = recurrentActivation.
 * The state starts at zero for every sequence. Output [time, units] with {@code returnSequences},
 * else the last step's [units].
 *
 * <p>Parameters: two biases, 3 units (features + units + 2) in all, in both frameworks. Files use
 * PyTorch's names and shapes ({@code weight_ih_l0} [3 units, features], {@code weight_hh_l0} [3
 * units, units], {@code bias_ih_l0}, {@code bias_hh_l0} [3 units]), gates in PyTorch's order r, z, n.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface GRU {
  /** {@return the size of the hidden state, > 0} */
  int units();

  /** {@return the activation of the candidate n: TANH, SIGMOID, RELU or LINEAR} */
  ActivationFunction activation() default ActivationFunction.TANH;

  /** {@return the activation of the gates r and z: TANH, SIGMOID, RELU or LINEAR} */
  ActivationFunction recurrentActivation() default ActivationFunction.SIGMOID;

  /** {@return true for the output of every step [time, units], false for the last step's [units]} */
  boolean returnSequences() default false;

  /** {@return how W_ih starts} */
  Initializer kernelInit() default Initializer.GLOROT_UNIFORM;

  /** {@return how W_hh starts} */
  Initializer recurrentInit() default Initializer.ORTHOGONAL;

  /** {@return false to freeze the layer's parameters} */
  boolean trainable() default true;
}
