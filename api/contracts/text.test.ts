import { describe, expect, it } from 'vitest';
import { compareVi, foldForSearch } from './text.ts';

describe('foldForSearch', () => {
  it('removes Vietnamese diacritics including đ', () => {
    expect(foldForSearch('Đăng ký khai sinh')).toBe('dang ky khai sinh');
    expect(foldForSearch('Chứng thực bản sao từ bản chính')).toBe('chung thuc ban sao tu ban chinh');
    expect(foldForSearch('ĐỘNG ĐẤT  Ở   Ninh Hòa')).toBe('dong dat o ninh hoa');
  });
  it('treats composed and decomposed input alike', () => {
    expect(foldForSearch('Hòa'.normalize('NFD'))).toBe(foldForSearch('Hòa'.normalize('NFC')));
  });
});

describe('compareVi', () => {
  it('sorts đ after d and ă after a', () => {
    expect(['Đất', 'Dân', 'Ăn', 'Anh'].sort(compareVi)).toEqual(['Anh', 'Ăn', 'Dân', 'Đất']);
  });
});
