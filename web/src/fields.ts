// Field sets that more than one page shows.
import type { Field } from './components/form.js';

export const customerFields: Field[] = [
  { name: 'name', label: 'Name', required: true, maxLength: 200 },
  { name: 'email', label: 'Email', type: 'email', nullable: true, maxLength: 254 },
  { name: 'phone', label: 'Phone', type: 'tel', nullable: true, pattern: '\\+?[0-9 ()./-]{3,32}', patternMessage: 'may hold digits, spaces and + ( ) . / - only' },
  { name: 'address', label: 'Address', nullable: true, maxLength: 1000 },
  { name: 'taxId', label: 'Tax id', nullable: true, maxLength: 64 },
  { name: 'notes', label: 'Notes', type: 'textarea', maxLength: 10000 },
];
