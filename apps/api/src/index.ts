export { bootstrapApi } from './bootstrap-api.js';
export { AuthService } from './auth/auth.service.js';
