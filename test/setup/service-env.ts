/** Every test worker sees the endpoints the global setup brought up, as process.env. */
import { inject } from 'vitest';

Object.assign(process.env, inject('serviceEnv'));
